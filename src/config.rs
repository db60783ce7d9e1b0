//! `tweetform.yaml`: optional project settings. Every field has a default,
//! so a repository with only `posts/` works.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use jiff::SignedDuration;

use crate::access_level::Access;
use crate::money::Usd;
use crate::post::Pos;

use serde::{Deserialize, Serialize};

use crate::problem::{Location, Problem};

pub(crate) const CONFIG_FILE: &str = "tweetform.yaml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Directory holding the posts, relative to the project root.
    pub posts_dir: PathBuf,
    /// Globs (relative to `posts_dir`) of files that are posts.
    pub include: Vec<String>,
    /// Globs (relative to `posts_dir`) of files to skip.
    pub(crate) exclude: Vec<String>,
    /// The lockfile, relative to the project root.
    pub state: PathBuf,
    /// Let `apply` delete and replace published tweets without `--allow-destroy`.
    pub allow_destroy: bool,
    /// The account's X API access level: the rules `validate` applies and,
    /// unless `budget` is written, the rate budget.
    pub access: Access,
    /// `None` when not written: the access level's preset ([`Config::budget`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetConfig>,
    /// X's prices, when they differ from the dated default table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prices: Option<crate::prices::PriceOverrides>,
    /// The account has X Premium: a changed published tweet still inside
    /// its edit window is edited in place instead of replaced.
    pub edits: bool,
    /// How long after publication a tweet may be edited (`30m` when not
    /// written; at most `1h`, the longest X's pages name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_window: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            posts_dir: PathBuf::from("posts"),
            include: vec!["**/*.yaml".into(), "**/*.yml".into()],
            exclude: Vec::new(),
            state: PathBuf::from("state/tweets.lock.json"),
            allow_destroy: false,
            access: Access::default(),
            budget: None,
            prices: None,
            edits: false,
            edit_window: None,
        }
    }
}

/// The rate budget: a named preset or custom windows.
///
/// ```yaml
/// budget: basic            # a preset
/// budget:                  # or custom numbers
///   creates: [{ limit: 100, window: 15m }, { limit: 100, window: 24h }]
///   deletes: [{ limit: 50, window: 15m }]
///   reads: [{ limit: 75, window: 15m }]   # optional: X's table by default
///   uploads: [{ limit: 500, window: 15m }] # optional: media requests
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BudgetConfig {
    Preset(BudgetPreset),
    Custom(CustomBudget),
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig::Preset(BudgetPreset::Default)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BudgetPreset {
    /// The integration guide's limits: 200 creates / 15 min, 300 / 3 h, 50 deletes / 15 min.
    Default,
    /// X's current rate-limit table: 100 creates / 15 min, 50 deletes / 15 min.
    Current,
    /// Free access level: 17 creates / 24 h.
    Free,
    /// Basic access level: 100 creates / 24 h.
    Basic,
}

impl BudgetPreset {
    /// The rate budget when `budget:` is not written. X's rate-limit table
    /// (100 creates per 15 minutes per user) for pay-per-use and Pro; Basic
    /// adds its daily cap of 100; Enterprise keeps the integration guide's
    /// higher limits.
    pub fn for_access(access: Access) -> BudgetPreset {
        match access {
            Access::PayPerUse | Access::Pro => BudgetPreset::Current,
            Access::Basic => BudgetPreset::Basic,
            Access::Enterprise => BudgetPreset::Default,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomBudget {
    #[serde(default)]
    pub creates: Vec<WindowConfig>,
    #[serde(default)]
    pub deletes: Vec<WindowConfig>,
    /// The account, its timeline and tweet lookups; absent means the
    /// default reads budget (X's rate-limit table), never "unlimited".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reads: Option<Vec<WindowConfig>>,
    /// Media uploads, their segments, processing checks and alt text;
    /// absent means the default (500 per 15 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploads: Option<Vec<WindowConfig>>,
    /// At most so many US dollars in any window (see [`crate::spend`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend: Option<SpendConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowConfig {
    pub limit: u32,
    /// A duration such as `15m`, `3h`, `24h` (jiff's friendly format).
    pub window: String,
}

/// Why `tweetform.yaml` cannot be used. Converts into a [`Problem`].
#[derive(Debug)]
pub enum ConfigError {
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A setting that parses but cannot be used (a path outside the project).
    Setting(Problem),
}

impl ConfigError {
    /// What to do about it.
    pub fn help(&self) -> Option<&str> {
        match self {
            ConfigError::Read { .. } => Some("check the file's permissions"),
            ConfigError::Parse { .. } => {
                Some("see the configuration section of the README for the fields")
            }
            ConfigError::Setting(d) => d.help(),
        }
    }
}

impl From<&ConfigError> for Problem {
    fn from(e: &ConfigError) -> Problem {
        let problem = match e {
            ConfigError::Read { path, source } => Problem::new("cannot read")
                .at(Location::file(path))
                .because(source),
            ConfigError::Parse {
                path,
                line,
                column,
                message,
            } => Problem::new(message).at(Location::at(path, *line, *column)),
            ConfigError::Setting(d) => return d.clone(),
        };
        match e.help() {
            Some(help) => problem.with_help(help),
            None => problem,
        }
    }
}

impl From<ConfigError> for Problem {
    fn from(e: ConfigError) -> Problem {
        Problem::from(&e)
    }
}

/// The problem on one line, without the advice.
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Problem::from(self).fmt(f)
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { source, .. } => Some(source),
            ConfigError::Parse { .. } | ConfigError::Setting(_) => None,
        }
    }
}

impl Config {
    /// Reads `tweetform.yaml` under `root`, or the defaults when it is absent.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config = serde_saphyr::from_str::<Config>(&text).map_err(|e| {
            let (line, column) = crate::yaml::error_location(&e).unwrap_or((1, 1));
            ConfigError::Parse {
                path: PathBuf::from(CONFIG_FILE),
                line,
                column,
                message: crate::yaml::error_message(&e),
            }
        })?;
        // Every configured path resolves inside the project root.
        match check_config_paths(root, &config, &text).or_else(|| check_edit_window(&config, &text))
        {
            Some(d) => Err(ConfigError::Setting(d)),
            None => Ok(config),
        }
    }

    /// Whether and how long tweets may be edited in place (`edit_window`
    /// was checked when the file was loaded).
    pub fn edits(&self) -> Edits {
        Edits {
            enabled: self.edits,
            window: self
                .edit_window
                .as_deref()
                .and_then(|w| crate::duration::parse_duration(w).ok())
                .unwrap_or(DEFAULT_EDIT_WINDOW),
        }
    }

    /// The rate budget: the one written, else the access level's preset.
    pub fn budget(&self) -> BudgetConfig {
        self.budget
            .clone()
            .unwrap_or_else(|| BudgetConfig::Preset(BudgetPreset::for_access(self.access)))
    }

    /// The price table: the defaults with `prices:` applied.
    pub fn prices(&self) -> crate::prices::Prices {
        crate::prices::Prices::with(self.prices.as_ref())
    }

    pub fn state_path(&self, root: &Path) -> PathBuf {
        root.join(&self.state)
    }
}
/// Where `setting` is written in `tweetform.yaml`'s `text` (its value), if it is.
pub(crate) fn setting_pos(text: &str, setting: &str) -> Option<Pos> {
    let root = crate::yaml::parse_node(text).ok()?;
    let crate::yaml::Kind::Map(entries) = root.kind else {
        return None;
    };
    entries.iter().find_map(|(k, v)| match &k.kind {
        crate::yaml::Kind::Str(name) if name == setting => Some(v.pos),
        _ => None,
    })
}

/// Checks that `posts_dir` and `state` stay inside the project root at
/// `root`: relative, without a `..` that leaves it, and not through a
/// symlink that points out of it. `text` is `tweetform.yaml`'s, for the
/// positions of the settings.
fn check_config_paths(root: &Path, config: &Config, text: &str) -> Option<Problem> {
    for (setting, value) in [("posts_dir", &config.posts_dir), ("state", &config.state)] {
        if let Some(why) = leaves_root(root, value) {
            let pos = setting_pos(text, setting).unwrap_or(Pos { line: 1, column: 1 });
            return Some(
                Problem::at_pos(
                    CONFIG_FILE,
                    pos,
                    format!(
                        "`{setting}: {}` is outside the project root ({why})",
                        value.display()
                    ),
                )
                .with_help(format!(
                    "set `{setting}` to a path inside the project, relative to the directory of {CONFIG_FILE}"
                )),
            );
        }
    }
    None
}

/// The longest edit window X's pages name (its changelog's one hour).
const MAX_EDIT_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// `edit_window` is a duration above zero and at most an hour.
fn check_edit_window(config: &Config, text: &str) -> Option<Problem> {
    let written = config.edit_window.as_deref()?;
    let why = match crate::duration::parse_duration(written) {
        Err(e) => format!("`edit_window: {written}` is not a duration ({e})"),
        Ok(d) if d <= jiff::SignedDuration::ZERO => {
            format!("`edit_window: {written}` must be longer than zero")
        }
        Ok(d) if d > MAX_EDIT_WINDOW => {
            format!("`edit_window: {written}` is longer than X allows edits (one hour at most)")
        }
        Ok(_) => return None,
    };
    let pos = setting_pos(text, "edit_window").unwrap_or(Pos { line: 1, column: 1 });
    Some(Problem::at_pos(CONFIG_FILE, pos, why).with_help(
        "write a duration such as `30m` (X's default) or `1h`, or leave `edit_window` out",
    ))
}

/// Why `path` (relative to `root`) is not inside `root`, if it is not.
fn leaves_root(root: &Path, path: &Path) -> Option<&'static str> {
    if path.has_root() || path.components().any(|c| matches!(c, Component::Prefix(_))) {
        return Some("an absolute path");
    }
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::ParentDir if depth == 0 => return Some("`..` leaves it"),
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
    }
    let canonical_root = root.canonicalize().ok()?;
    // The deepest part of the path that exists, resolved through its symlinks.
    let existing = root
        .join(path)
        .ancestors()
        .find_map(|p| p.canonicalize().ok())?;
    (!existing.starts_with(&canonical_root)).then_some("a symlink leads out of it")
}

/// `spend:` in a custom budget of `tweetform.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendConfig {
    /// US dollars, such as `5.00`.
    pub limit: Usd,
    /// A duration such as `24h` (as the rate windows write it).
    pub window: String,
}

/// Whether published tweets may be edited in place (`edits: true`: the
/// account has X Premium) and for how long after they were published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edits {
    pub enabled: bool,
    pub window: SignedDuration,
}

/// X's fundamentals page: 30 minutes (its changelog says one hour, the
/// upper bound a project may set).
pub const DEFAULT_EDIT_WINDOW: SignedDuration = SignedDuration::from_mins(30);

impl Default for Edits {
    fn default() -> Self {
        Edits {
            enabled: false,
            window: DEFAULT_EDIT_WINDOW,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_escapes_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(leaves_root(root, Path::new("posts")), None);
        assert_eq!(leaves_root(root, Path::new("a/../posts")), None);
        assert_eq!(leaves_root(root, Path::new("../x")), Some("`..` leaves it"));
        assert_eq!(
            leaves_root(root, Path::new("a/../../x")),
            Some("`..` leaves it")
        );
        assert_eq!(
            leaves_root(root, Path::new("/etc")),
            Some("an absolute path")
        );
    }

    fn load(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), text).unwrap();
        Config::load(dir.path())
    }

    #[test]
    fn access_defaults_to_pay_per_use_and_selects_the_budget_preset() {
        let config = load("posts_dir: posts\n").unwrap();
        assert_eq!(config.access, Access::PayPerUse);
        assert_eq!(config.budget, None);
        assert_eq!(config.budget(), BudgetConfig::Preset(BudgetPreset::Current));
        for (written, preset) in [
            ("pay-per-use", BudgetPreset::Current),
            ("basic", BudgetPreset::Basic),
            ("pro", BudgetPreset::Current),
            ("enterprise", BudgetPreset::Default),
        ] {
            let config = load(&format!("access: {written}\n")).unwrap();
            assert_eq!(config.access.name(), written);
            assert_eq!(config.budget(), BudgetConfig::Preset(preset), "{written}");
        }
    }

    #[test]
    fn an_explicit_budget_wins_over_the_access_level() {
        let config = load("access: basic\nbudget: free\n").unwrap();
        assert_eq!(config.budget(), BudgetConfig::Preset(BudgetPreset::Free));
        let config = load("budget: default\naccess: pay-per-use\n").unwrap();
        assert_eq!(config.budget(), BudgetConfig::Preset(BudgetPreset::Default));
        let config =
            load("access: enterprise\nbudget:\n  creates: [{ limit: 5, window: 1h }]\n").unwrap();
        assert!(matches!(config.budget(), BudgetConfig::Custom(_)));
    }

    #[test]
    fn a_bad_access_level_names_its_place_and_the_levels() {
        let e = load("posts_dir: posts\naccess: premium\n").unwrap_err();
        let ConfigError::Parse {
            line,
            column,
            message,
            ..
        } = &e
        else {
            panic!("{e:?}");
        };
        assert_eq!((*line, *column), (2, 9), "{message}");
        for level in Access::ALL {
            assert!(message.contains(level.name()), "{message}");
        }
        assert!(message.contains("`premium`"), "{message}");
    }

    #[test]
    fn edits_are_off_by_default_with_xs_30_minutes() {
        let config = load("access: basic\n").unwrap();
        assert_eq!(config.edits(), crate::plan::Edits::default());
        let config = load("edits: true\nedit_window: 1h\n").unwrap();
        assert_eq!(
            config.edits(),
            Edits {
                enabled: true,
                window: jiff::SignedDuration::from_hours(1),
            }
        );
    }

    #[test]
    fn a_bad_edit_window_names_its_place() {
        for (window, why) in [
            ("soon", "is not a duration"),
            ("2h", "one hour at most"),
            ("0", "longer than zero"),
        ] {
            let e = load(&format!("edits: true\nedit_window: {window}\n")).unwrap_err();
            let problem = Problem::from(&e).to_string();
            assert!(problem.contains("tweetform.yaml:2:14"), "{problem}");
            assert!(problem.contains(why), "{problem}");
        }
    }

    #[test]
    fn setting_positions_point_at_the_value() {
        let text = "include: ['**/*.yaml']\nposts_dir: Posts\n";
        assert_eq!(
            setting_pos(text, "posts_dir"),
            Some(Pos {
                line: 2,
                column: 12
            })
        );
        assert_eq!(setting_pos(text, "state"), None);
    }
}
