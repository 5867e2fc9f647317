//! The statistics page's charts: inline SVG made at build time, read
//! without JavaScript. Each has a `<title>` and a description, labels its
//! bars with their figures (so no chart depends on colour alone), and
//! tells its series apart by pattern as well as shade. The same figures
//! follow each chart as a table, in the template.

use std::fmt::Write as _;

/// The site's ink and the series' fills. Each is at least 3:1 against
/// white, and series alternate light and dark so neighbours in a stack
/// are at least 3:1 against each other (relative luminance: blue 0.16,
/// red 0.17, green 0.12, ink 0.004); the two dark ones differ by pattern.
const INK: &str = "#0b0c0c";
const SERIES: [(&str, &str); 5] =
    [("#1d70b8", "solid"), ("#0b0c0c", "hatch"), ("#d4351c", "dots"), ("#0b0c0c", "lines"), ("#00703c", "cross")];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal bar chart of named counts, each bar labelled with its name
/// and figure.
pub fn bars(id: &str, title: &str, desc: &str, rows: &[(String, usize)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (260.0, 330.0, 28.0);
    let height = 10.0 + row_h * rows.len() as f64;
    let mut svg = open(id, title, desc, 640.0, height);
    for (i, (name, n)) in rows.iter().enumerate() {
        let y = 5.0 + row_h * i as f64;
        let w = (*n as f64 / max as f64 * bar_w).max(if *n > 0 { 1.0 } else { 0.0 });
        let shown: String = if name.chars().count() > 38 {
            format!("{}…", name.chars().take(37).collect::<String>())
        } else {
            name.clone()
        };
        let _ = write!(
            svg,
            r#"<text x="{:.0}" y="{:.0}" text-anchor="end" class="label">{}</text><rect x="{label_w:.0}" y="{:.0}" width="{w:.1}" height="18" fill="{}"/><text x="{:.1}" y="{:.0}" class="figure">{n}</text>"#,
            label_w - 8.0,
            y + 14.0,
            esc(&shown),
            y + 1.0,
            SERIES[0].0,
            label_w + w + 6.0,
            y + 14.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Columns of counts over time, each column stacked by series (filled with
/// each series' colour and pattern), with a legend.
pub fn stacked_columns(id: &str, title: &str, desc: &str, names: &[&str], columns: &[(String, Vec<usize>)]) -> String {
    let max = columns.iter().map(|c| c.1.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let (left, top, plot_w, plot_h) = (44.0, 40.0, 580.0, 220.0);
    let mut svg = open(id, title, desc, 640.0, top + plot_h + 44.0);
    svg.push_str(&patterns(id));
    // the legend, above the plot
    let mut x = left;
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect x="{x:.0}" y="8" width="14" height="14" fill="url(#{id}-p{i})" stroke="{INK}"/><text x="{:.0}" y="20" class="label">{}</text>"#,
            x + 18.0,
            esc(name)
        );
        x += 20.0 + 8.0 * name.len() as f64 + 14.0;
    }
    // the scale: 0 and the highest month
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{:.0}" x2="{:.0}" y2="{:.0}" stroke="{INK}"/><text x="{:.0}" y="{:.0}" text-anchor="end" class="label">0</text><text x="{:.0}" y="{:.0}" text-anchor="end" class="label">{max}</text>"#,
        top + plot_h,
        left + plot_w,
        top + plot_h,
        left - 6.0,
        top + plot_h + 4.0,
        left - 6.0,
        top + 10.0
    );
    let step = plot_w / columns.len().max(1) as f64;
    let width = (step * 0.8).max(1.0);
    for (c, (_, counts)) in columns.iter().enumerate() {
        let cx = left + step * c as f64 + (step - width) / 2.0;
        let mut y = top + plot_h;
        for (i, n) in counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            let h = *n as f64 / max as f64 * plot_h;
            y -= h;
            let _ = write!(
                svg,
                r#"<rect x="{cx:.1}" y="{y:.1}" width="{width:.1}" height="{h:.1}" fill="url(#{id}-p{i})"/>"#
            );
        }
    }
    // first and last labels along the time axis, and every year between
    let label_every = (columns.len() / 8).max(1);
    for (c, (name, _)) in columns.iter().enumerate() {
        let last = c + 1 == columns.len();
        if last || (c % label_every == 0 && columns.len() - c > label_every / 2 + 1) {
            let cx = left + step * c as f64 + step / 2.0;
            let _ = write!(
                svg,
                r#"<text x="{cx:.0}" y="{:.0}" text-anchor="middle" class="label">{}</text>"#,
                top + plot_h + 18.0,
                esc(name)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One pattern a series: its colour, and a texture of its own.
fn patterns(id: &str) -> String {
    let mut defs = String::from("<defs>");
    for (i, (colour, texture)) in SERIES.iter().enumerate() {
        let marks = match *texture {
            "solid" => String::new(),
            "hatch" => r##"<path d="M0,8 L8,0" stroke="#fff" stroke-width="2"/>"##.to_string(),
            "dots" => r##"<circle cx="4" cy="4" r="1.6" fill="#fff"/>"##.to_string(),
            "lines" => r##"<path d="M0,4 L8,4" stroke="#fff" stroke-width="2"/>"##.to_string(),
            _ => r##"<path d="M0,0 L8,8 M8,0 L0,8" stroke="#fff" stroke-width="1.5"/>"##.to_string(),
        };
        let _ = write!(
            defs,
            r#"<pattern id="{id}-p{i}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="{colour}"/>{marks}</pattern>"#
        );
    }
    defs.push_str("</defs>");
    defs
}

fn open(id: &str, title: &str, desc: &str, w: f64, h: f64) -> String {
    format!(
        r#"<svg class="chart" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(desc)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_is_titled_and_labelled() {
        let svg = bars("c", "Top & bottom", "Two bars", &[("A <b>".into(), 3), ("B".into(), 0)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"c-title\">Top &amp; bottom</title>"));
        assert!(svg.contains(">A &lt;b&gt;</text>") && svg.contains(">3</text>") && svg.contains(">0</text>"));
    }
}

#[cfg(test)]
mod contrast {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let c = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
    }

    fn ratio(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    /// WCAG 1.4.11: 3:1 against the background and between neighbours.
    #[test]
    fn series_contrast_with_white_and_with_each_other() {
        for (colour, _) in SERIES {
            assert!(ratio(colour, "#ffffff") >= 3.0, "{colour} on white");
        }
        for pair in SERIES.windows(2) {
            assert!(ratio(pair[0].0, pair[1].0) >= 3.0, "{} next to {}", pair[0].0, pair[1].0);
        }
    }
}
