succeeded [0-9]+, refused [0-9]+
