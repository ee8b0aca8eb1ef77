.*hello\.wasm.*limit.*
