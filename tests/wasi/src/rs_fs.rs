// rs_fs: Rust's std::fs on WASI, in a preopened /scratch: directories, files, metadata,
// listing, rename, hard and symbolic links, set_len, seek, append, create_new, removal, and
// the WASI errno of the usual failures.
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

fn kind<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => match e.raw_os_error() {
            Some(code) => format!("errno {}", code),
            None => format!("{:?}", e.kind()),
        },
    }
}

/* remove_dir_all by hand, listing each directory completely before removing from it: whether
 * a listing that goes on while entries are removed sees them all is unspecified. */
fn remove_tree(dir: &std::path::Path) -> std::io::Result<()> {
    let entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    for e in entries {
        if e.file_type()?.is_dir() {
            remove_tree(&e.path())?;
        } else {
            fs::remove_file(e.path())?;
        }
    }
    fs::remove_dir(dir)
}

fn main() -> std::io::Result<()> {
    fs::create_dir_all("/scratch/a/b/c")?;
    fs::write("/scratch/a/hello.txt", "hello from rust\n")?;
    println!("read_to_string: {:?}", fs::read_to_string("/scratch/a/hello.txt")?);
    let md = fs::metadata("/scratch/a/hello.txt")?;
    println!("len={} is_file={} is_dir={}", md.len(), md.is_file(), md.is_dir());
    println!("a/b is_dir={}", fs::metadata("/scratch/a/b")?.is_dir());

    for name in ["x.txt", "y.txt", "z.txt"] {
        fs::write(format!("/scratch/a/b/{}", name), name)?;
    }
    let mut names: Vec<String> = fs::read_dir("/scratch/a/b")?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    println!("read_dir a/b: {:?}", names);

    fs::rename("/scratch/a/b/x.txt", "/scratch/a/moved.txt")?;
    println!("renamed: {:?}", fs::read_to_string("/scratch/a/moved.txt")?);
    fs::hard_link("/scratch/a/moved.txt", "/scratch/a/hard.txt")?;
    #[allow(deprecated)]
    fs::soft_link("moved.txt", "/scratch/a/soft")?;
    println!("read_link: {:?}", fs::read_link("/scratch/a/soft")?);
    println!("through the symlink: {:?}", fs::read_to_string("/scratch/a/soft")?);
    let link = fs::symlink_metadata("/scratch/a/soft")?;
    println!("symlink_metadata is_symlink={}", link.file_type().is_symlink());

    let mut f = OpenOptions::new().read(true).write(true).create(true).open("/scratch/a/data.bin")?;
    f.write_all(b"0123456789")?;
    f.set_len(4)?;
    f.seek(SeekFrom::Start(1))?;
    let mut s = String::new();
    f.read_to_string(&mut s)?;
    println!("after set_len(4), from 1: {:?}", s);
    let mut ap = OpenOptions::new().append(true).open("/scratch/a/data.bin")?;
    ap.write_all(b"AB")?;
    println!("after append: {:?}", fs::read_to_string("/scratch/a/data.bin")?);

    let again = OpenOptions::new().write(true).create_new(true).open("/scratch/a/data.bin");
    println!("create_new existing: {}", kind(again));
    println!("open missing: {}", kind(File::open("/scratch/nope")));
    println!("remove_dir non-empty: {}", kind(fs::remove_dir("/scratch/a/b")));
    println!("create_dir existing: {}", kind(fs::create_dir("/scratch/a")));
    println!("read_dir on a file: {}", kind(fs::read_dir("/scratch/a/hello.txt")));
    println!("open outside the preopens: {}", kind(File::open("/etc/passwd")));
    fs::remove_file("/scratch/a/moved.txt")?;
    println!("hard link survives: {:?}", fs::read_to_string("/scratch/a/hard.txt")?);
    remove_tree(std::path::Path::new("/scratch/a"))?;
    println!("removed: {}", kind(fs::metadata("/scratch/a")));
    Ok(())
}
