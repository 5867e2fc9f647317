//! `decreg serve`: answers on loopback, and shows an edited title within
//! seconds.

use super::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::time::{Duration, Instant};

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let code = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, text)
}

#[test]
fn serve_previews_and_rebuilds_on_change() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path();
    std::fs::create_dir_all(reg.join("decisions")).unwrap();
    std::fs::copy(fixture("forms/register.yaml"), reg.join("register.yaml")).unwrap();
    let record = reg.join("decisions/as-markdown.md");
    std::fs::copy(fixture("forms/decisions/as-markdown.md"), &record).unwrap();
    let mut child = Serving(
        std::process::Command::new(env!("CARGO_BIN_EXE_decreg"))
            .args(["--root", reg.to_str().unwrap(), "--today", TODAY, "serve", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();

    let (code, page) = get(&addr, "/decisions/as-markdown/");
    assert_eq!(code, 200);
    assert!(page.contains("Café Concession at Hoglands Park"), "{page}");
    assert!(page.contains("/__decreg/reload.js"));
    assert_eq!(get(&addr, "/no/such/page/").0, 404);

    let text = std::fs::read_to_string(&record)
        .unwrap()
        .replace("Café Concession at Hoglands Park", "Kiosk Licence at Hoglands Park");
    std::fs::write(&record, text).unwrap();
    let started = Instant::now();
    let mut shown = false;
    while started.elapsed() < Duration::from_secs(15) {
        if get(&addr, "/decisions/as-markdown/").1.contains("Kiosk Licence at Hoglands Park") {
            shown = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let took = started.elapsed();
    // a broken record keeps the preview running and reports the error
    std::fs::write(reg.join("decisions/broken.md"), "---\ntitle: Broken\n").unwrap();
    let mut reported = false;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) {
        if get(&addr, "/__decreg/errors").1.contains("front-matter-unclosed") {
            reported = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(shown, "the edited title was not shown within 15 s");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(reported, "the error was not reported");
    same_as_a_build_from_nothing(reg);

    // the third build starts from what the second left in memory
    let version = get(&addr, "/__decreg/version").1;
    std::fs::remove_file(reg.join("decisions/broken.md")).unwrap();
    let text = std::fs::read_to_string(&record).unwrap().replace("Kiosk Licence", "Kiosk Lease");
    std::fs::write(&record, text).unwrap();
    let started = Instant::now();
    while get(&addr, "/__decreg/version").1 == version && started.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(100));
    }
    // the two changes may come to two builds: the last has no errors
    while get(&addr, "/__decreg/errors").1.contains("front-matter") && started.elapsed() < Duration::from_secs(15) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(get(&addr, "/decisions/as-markdown/").1.contains("Kiosk Lease at Hoglands Park"));
    // an edit is shown before the build behind it is done: wait for that
    let published = reg.join("output/preview/site/decisions/as-markdown/index.html");
    while !std::fs::read_to_string(&published).unwrap_or_default().contains("Kiosk Lease")
        && started.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    same_as_a_build_from_nothing(reg);
}

/// The preview, stopped however the test ends.
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Asserts that the preview's site is, byte for byte, what `decreg build
/// --keep-going` makes from nothing of the same register.
fn same_as_a_build_from_nothing(reg: &std::path::Path) {
    let fresh = tempfile::tempdir().unwrap();
    let out = fresh.path().to_str().unwrap();
    let o = decreg(reg, &["build", "--no-pdf", "--keep-going", "--out", out]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&o.stderr));
    let (preview, theirs) = (output_files(&reg.join("output/preview/site")), output_files(&fresh.path().join("site")));
    assert_same_files(&preview, &theirs, "a build from nothing");
}
