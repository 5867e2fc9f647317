//! Any text as record Markdown: rendering never panics and never lets
//! markup through (no script, handler or javascript: link in the HTML).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let html = decreg::markdown::to_html(text);
    if let Err(why) = decreg::markdown::check_safe_html(&html) {
        panic!("{why}: {html}");
    }
    let _ = decreg::markdown::to_text(text);
});
