//! `register.yaml`: the council and its rules. Read once per run and shared
//! by every stage; no file means the built-in defaults of the spec.

use crate::diag::Diagnostic;
use crate::yaml::{self, Fields, Locations};
use chrono::NaiveDate;
use serde::Serialize;
use serde_yaml::Value;
use std::path::{Path, PathBuf};

/// Which exempt-information schedule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Legislation {
    England,
    Wales,
    Scotland,
}

impl Legislation {
    /// The paragraphs that may be cited, and the schedule's name as a
    /// notice quotes it.
    pub fn exempt_paragraphs(self) -> std::ops::RangeInclusive<u32> {
        match self {
            Legislation::England => 1..=7,
            Legislation::Wales => 12..=18,
            Legislation::Scotland => 1..=15,
        }
    }

    pub fn schedule(self) -> &'static str {
        match self {
            Legislation::England => "Schedule 12A to the Local Government Act 1972, Part 1",
            Legislation::Wales => "Schedule 12A to the Local Government Act 1972, Part 4",
            Legislation::Scotland => "Schedule 7A to the Local Government (Scotland) Act 1973",
        }
    }
}

/// Whose bank holidays are not working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

impl Region {
    pub const ALL: [Region; 3] = [Region::EnglandAndWales, Region::Scotland, Region::NorthernIreland];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::EnglandAndWales => "england-and-wales",
            Region::Scotland => "scotland",
            Region::NorthernIreland => "northern-ireland",
        }
    }

    pub fn parse(s: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// How the call-in period is counted from publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Counting {
    /// The day of publication does not count.
    Clear,
    /// The day of publication counts when it is a working day.
    Inclusive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallInRule {
    pub working_days: u32,
    pub counting: Counting,
    /// "HH:MM": requests after this time on the deadline day are late.
    pub cutoff_time: Option<String>,
    pub default_subject: bool,
}

/// The register's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Config {
    pub council: String,
    pub base_url: Option<String>,
    pub language: String,
    pub legislation: Legislation,
    pub areas_label: String,
    pub bank_holidays: Region,
    pub closures: Vec<NaiveDate>,
    pub call_in: CallInRule,
    pub decision_makers: Option<Vec<String>>,
    pub max_record_bytes: u64,
    /// Extension: the council's colour for the site's header band
    /// (`colours: { primary: "#00703c" }`); white text must be readable on it.
    pub primary_colour: String,
    /// When the council enforces its findings (`rules:`).
    pub rules: Enforcement,
    /// Extension: whom the public asks about decision lists and the Notice
    /// of Key Decisions (`democratic_services: { name, email, phone,
    /// address }`), printed on both.
    pub democratic_services: Option<Contact>,
}

/// An office the public may write to or call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

impl Contact {
    /// One line: "Democratic Services, democratic.services@example.gov.uk, 023 8083 2000".
    pub fn line(&self) -> String {
        let rest = [self.email.as_deref(), self.phone.as_deref(), self.address.as_deref()];
        std::iter::once(self.name.as_str()).chain(rest.into_iter().flatten()).collect::<Vec<_>>().join(", ")
    }
}

/// `rules:` in register.yaml: findings made errors for decisions taken on
/// or after `strict_from`, and codes the council does not want reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Enforcement {
    pub strict_from: Option<NaiveDate>,
    pub off: Vec<&'static str>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            council: "Decisions register".to_string(),
            base_url: None,
            language: "en-GB".to_string(),
            legislation: Legislation::England,
            areas_label: "Wards".to_string(),
            bank_holidays: Region::EnglandAndWales,
            closures: Vec::new(),
            call_in: CallInRule {
                working_days: 5,
                counting: Counting::Clear,
                cutoff_time: None,
                default_subject: true,
            },
            decision_makers: None,
            max_record_bytes: 2_000_000,
            primary_colour: DEFAULT_COLOUR.to_string(),
            rules: Enforcement::default(),
            democratic_services: None,
        }
    }
}

const FIELDS: &[&str] = &[
    "council",
    "base_url",
    "language",
    "legislation",
    "areas_label",
    "bank_holidays",
    "closures",
    "call_in",
    "decision_makers",
    "max_record_bytes",
    "colours",
    "rules",
    "democratic_services",
];

/// The header colour when register.yaml names none (GOV.UK's blue).
pub const DEFAULT_COLOUR: &str = "#1d70b8";
const CALL_IN_FIELDS: &[&str] = &["working_days", "counting", "cutoff_time", "default_subject"];

/// The file name decreg looks for at a register's root.
pub const FILE_NAME: &str = "register.yaml";

impl Config {
    /// Reads `register.yaml` under `root`; defaults when there is none.
    pub fn from_root(root: &Path) -> Result<(Config, Vec<Diagnostic>), std::io::Error> {
        let path = root.join(FILE_NAME);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let shown = PathBuf::from(FILE_NAME);
                Ok(match crate::records::text::decode(&bytes, &shown) {
                    Ok(text) => Config::parse(&text, &shown),
                    Err(d) => (Config::default(), vec![d]),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((Config::default(), Vec::new())),
            Err(e) => Err(e),
        }
    }

    /// Parses register.yaml text; every problem is a diagnostic and the
    /// default stands in for a bad value.
    pub fn parse(text: &str, path: &Path) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        let value = match yaml::parse(text, path, 1) {
            Ok(v) => v,
            Err(d) => return (config, vec![d]),
        };
        let map = match &value {
            Value::Mapping(m) => m,
            Value::Null => return (config, Vec::new()),
            other => {
                let d = Diagnostic::error(
                    "not-a-map",
                    path,
                    format!("register.yaml holds {}, not a map of settings", yaml::kind_of(other)),
                )
                .at((1, 1))
                .hint("write settings as `name: value` lines, e.g. `council: Southampton City Council`");
                return (config, vec![d]);
            }
        };
        let loc = Locations::scan(text, 1);
        let mut f = Fields::new(map, &loc, path);
        read_fields(&mut f, &mut config);
        (config, f.finish(FIELDS))
    }
}

fn read_fields(f: &mut Fields<'_>, c: &mut Config) {
    if let Some(v) = f.text("council") {
        c.council = v;
    }
    c.base_url = f.text("base_url").map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
    if let Some(v) = f.text("language") {
        c.language = v;
    }
    if let Some(v) = f.text("legislation") {
        match v.as_str() {
            "england" => c.legislation = Legislation::England,
            "wales" => c.legislation = Legislation::Wales,
            "scotland" => c.legislation = Legislation::Scotland,
            _ => f.error(
                "invalid-value",
                "legislation",
                format!("unknown legislation `{v}`"),
                "write england, wales or scotland",
            ),
        }
    }
    if let Some(v) = f.text("areas_label") {
        c.areas_label = v;
    }
    if let Some(v) = f.text("bank_holidays") {
        match Region::parse(&v) {
            Some(r) => c.bank_holidays = r,
            None => f.error(
                "invalid-value",
                "bank_holidays",
                format!("unknown bank holiday region `{v}`"),
                "write england-and-wales, scotland or northern-ireland",
            ),
        }
    }
    if let Some(items) = f.list("closures") {
        for (path, item) in items {
            match item.as_str().map(yaml::parse_date) {
                Some(Ok(d)) => c.closures.push(d),
                _ => {
                    let pos = f.pos(path.trim_start_matches("closures."));
                    f.diags.push(
                        Diagnostic::error("invalid-date", f.file(), format!("`{path}` is not a date"))
                            .at(pos)
                            .hint("list closure days as YYYY-MM-DD dates"),
                    );
                }
            }
        }
        c.closures.sort();
    }
    if let Some(mut ci) = f.map("call_in") {
        if let Some(n) = ci.number("working_days") {
            match u32::try_from(n) {
                Ok(n) if (1..=60).contains(&n) => c.call_in.working_days = n,
                _ => ci.error(
                    "invalid-value",
                    "working_days",
                    "`call_in.working_days` must be between 1 and 60",
                    "most councils allow 5 working days",
                ),
            }
        }
        if let Some(v) = ci.text("counting") {
            match v.as_str() {
                "clear" => c.call_in.counting = Counting::Clear,
                "inclusive" => c.call_in.counting = Counting::Inclusive,
                _ => ci.error(
                    "invalid-value",
                    "counting",
                    format!("unknown counting rule `{v}`"),
                    "write clear (the day of publication does not count) or inclusive",
                ),
            }
        }
        if let Some(v) = ci.text("cutoff_time") {
            if is_clock_time(&v) {
                c.call_in.cutoff_time = Some(v);
            } else {
                ci.error(
                    "invalid-value",
                    "cutoff_time",
                    format!("`{v}` is not a time of day"),
                    "write a 24-hour time in quotes, e.g. \"16:00\"",
                );
            }
        }
        if let Some(b) = ci.boolean("default_subject") {
            c.call_in.default_subject = b;
        }
        let d = ci.finish(CALL_IN_FIELDS);
        f.diags.extend(d);
    }
    c.decision_makers = f.text_list("decision_makers");
    if let Some(n) = f.number("max_record_bytes") {
        c.max_record_bytes = n;
    }
    if let Some(mut colours) = f.map("colours") {
        if let Some(v) = colours.text("primary") {
            match contrast_with_white(&v) {
                Some(ratio) if ratio >= 4.5 => c.primary_colour = v.to_lowercase(),
                Some(ratio) => colours.error(
                    "colour-contrast",
                    "primary",
                    format!("white text on {v} has a contrast ratio of {ratio:.1}:1; WCAG AA needs 4.5:1"),
                    "choose a darker shade of the council's colour",
                ),
                None => colours.error(
                    "invalid-value",
                    "primary",
                    format!("`{v}` is not a colour"),
                    "write a hex colour such as \"#00703c\"",
                ),
            }
        }
        let d = colours.finish(&["primary"]);
        f.diags.extend(d);
    }
    if let Some(mut d) = f.map("democratic_services") {
        let name = d.text("name").unwrap_or_else(|| "Democratic Services".to_string());
        c.democratic_services =
            Some(Contact { name, email: d.text("email"), phone: d.text("phone"), address: d.text("address") });
        let diags = d.finish(&["name", "email", "phone", "address"]);
        f.diags.extend(diags);
    }
    if let Some(mut rules) = f.map("rules") {
        c.rules = read_enforcement(&mut rules);
        let d = rules.finish(&["strict_from", "off"]);
        f.diags.extend(d);
    }
}

fn read_enforcement(f: &mut Fields<'_>) -> Enforcement {
    let mut e = Enforcement { strict_from: f.date("strict_from"), off: Vec::new() };
    for code in f.text_list("off").unwrap_or_default() {
        match crate::rulebook::rule_of(&code) {
            Some(rule) if rule.severity == crate::rulebook::Severity::Error => f.error(
                "invalid-value",
                "off",
                format!("`{code}` is an error: decreg cannot publish such a record, so it cannot be turned off"),
                "list only findings and warnings under `rules.off`",
            ),
            Some(rule) => e.off.push(rule.code),
            None => {
                let hint = match crate::diag::did_you_mean(&code, crate::rulebook::RULES.iter().map(|r| r.code)) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => "use a code from the README's rule table".to_string(),
                };
                f.error("invalid-value", "off", format!("`{code}` is not a rule decreg knows"), hint);
            }
        }
    }
    e
}

/// The WCAG contrast ratio of white on a `#rrggbb` colour.
pub fn contrast_with_white(hex: &str) -> Option<f64> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let channel = |i: usize| -> Option<f64> {
        let v = f64::from(u8::from_str_radix(&h[i..i + 2], 16).ok()?) / 255.0;
        Some(if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) })
    };
    let l = 0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?;
    Some(1.05 / (l + 0.05))
}

fn is_clock_time(s: &str) -> bool {
    let Some((h, m)) = s.split_once(':') else { return false };
    h.len() == 2 && m.len() == 2 && h.parse::<u32>().is_ok_and(|h| h < 24) && m.parse::<u32>().is_ok_and(|m| m < 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example() {
        let text = "council: Southampton City Council\nbase_url: https://decisions.example.gov.uk\nlegislation: wales\nbank_holidays: scotland\nclosures: [2012-12-27]\ncall_in:\n  working_days: 6\n  counting: clear\n  cutoff_time: \"16:00\"\n  default_subject: true\ndecision_makers: [Cabinet, Council]\nmax_record_bytes: 2000000\n";
        let (c, d) = Config::parse(text, Path::new("register.yaml"));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.council, "Southampton City Council");
        assert_eq!(c.base_url.as_deref(), Some("https://decisions.example.gov.uk/"));
        assert_eq!(c.legislation, Legislation::Wales);
        assert_eq!(c.bank_holidays, Region::Scotland);
        assert_eq!(c.closures, vec![NaiveDate::from_ymd_opt(2012, 12, 27).unwrap()]);
        assert_eq!(c.call_in.working_days, 6);
        assert_eq!(c.call_in.cutoff_time.as_deref(), Some("16:00"));
        assert_eq!(c.decision_makers.as_deref(), Some(&["Cabinet".to_string(), "Council".to_string()][..]));
    }

    #[test]
    fn colours_must_be_readable() {
        let (c, d) = Config::parse("colours: { primary: \"#00703C\" }\n", Path::new("r.yaml"));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.primary_colour, "#00703c");
        let (c, d) = Config::parse("colours: { primary: \"#ffdd00\" }\n", Path::new("r.yaml"));
        assert_eq!(d[0].code, "colour-contrast");
        assert_eq!(c.primary_colour, DEFAULT_COLOUR);
        assert!(contrast_with_white("#1d70b8").unwrap() >= 4.5);
    }

    #[test]
    fn bad_settings_are_located() {
        let text = "council: X\ncall_in:\n  working_dys: 5\n  cutoff_time: 4pm\nbank_holidays: wales\n";
        let (c, d) = Config::parse(text, Path::new("register.yaml"));
        assert_eq!(c.bank_holidays, Region::EnglandAndWales);
        let got: Vec<_> = d.iter().map(|d| (d.code, d.line)).collect();
        assert!(got.contains(&("unknown-field", 3)), "{got:?}");
        assert!(got.contains(&("invalid-value", 4)), "{got:?}");
        assert!(got.contains(&("invalid-value", 5)), "{got:?}");
    }
}
