//! Messenger addresses, routes and rewrites (API.md 3.7).
//!
//! An address is `[scheme://][user[:password]@]host[:port][/name]`; a host starting with
//! `~` asks to listen rather than connect. Route and rewrite rules are patterns where `%`
//! matches a run of characters other than `/`, `*` matches any run, and the substitution
//! inserts matched groups with `$1`, `$2`, ... (`$0` is the whole input, `$$` a dollar).

/// A parsed address. Absent parts are `None`; `name` is the path after the host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    pub scheme: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: Option<String>,
    pub port: Option<String>,
    pub name: Option<String>,
    /// The host started with `~`: listen on it.
    pub passive: bool,
}

impl Address {
    /// Parse as proton's messenger does (it never fails; odd input gives odd parts).
    pub fn parse(text: &str) -> Address {
        let mut a = Address::default();
        let mut rest = text;
        if let Some(i) = rest.find("://") {
            if !rest[..i].contains('/') {
                a.scheme = Some(rest[..i].to_owned());
                rest = &rest[i + 3..];
            }
        }
        // The host part ends at the first '/' after any user info.
        let at = rest.find('@').filter(|&i| !rest[..i].contains('/'));
        if let Some(at) = at {
            let userinfo = &rest[..at];
            match userinfo.split_once(':') {
                Some((u, p)) => {
                    a.user = Some(percent_decode(u));
                    a.password = Some(percent_decode(p));
                }
                None => a.user = Some(percent_decode(userinfo)),
            }
            rest = &rest[at + 1..];
        }
        let (hostport, name) = match rest.find('/') {
            Some(i) => (&rest[..i], Some(rest[i + 1..].to_owned())),
            None => (rest, None),
        };
        a.name = name;
        let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
            match stripped.split_once(']') {
                Some((h, after)) => (h, after.strip_prefix(':')),
                None => (hostport, None),
            }
        } else if let Some(stripped) = hostport.strip_prefix("~[") {
            match stripped.split_once(']') {
                Some((h, after)) => {
                    a.passive = true;
                    (h, after.strip_prefix(':'))
                }
                None => (hostport, None),
            }
        } else {
            match hostport.rfind(':') {
                Some(i) => (&hostport[..i], Some(&hostport[i + 1..])),
                None => (hostport, None),
            }
        };
        let host = match host.strip_prefix('~') {
            Some(h) => {
                a.passive = true;
                h
            }
            None => host,
        };
        if !host.is_empty() || a.passive || port.is_some() {
            a.host = Some(host.to_owned());
        }
        a.port = port.map(str::to_owned);
        a
    }

    /// The port to use: the given one, or 5671 for `amqps` and 5672 otherwise.
    pub fn port_or_default(&self) -> &str {
        match (&self.port, self.scheme.as_deref()) {
            (Some(p), _) => p,
            (None, Some("amqps")) => "5671",
            (None, _) => "5672",
        }
    }

    /// Whether connections to this address use TLS.
    pub fn is_tls(&self) -> bool {
        self.scheme.as_deref() == Some("amqps")
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The default rewrite: drop `user[:password]@` so credentials never go on the wire.
pub fn strip_credentials(address: &str) -> String {
    let (prefix, rest) = match address.find("://") {
        Some(i) if !address[..i].contains('/') => address.split_at(i + 3),
        _ => ("", address),
    };
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{prefix}{}", &rest[at + 1..]),
        None => address.to_owned(),
    }
}

/// A route or rewrite rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub pattern: String,
    /// None: the rule maps matching addresses to no address at all.
    pub substitution: Option<String>,
}

/// An ordered table of rules; the first matching rule wins.
#[derive(Clone, Debug, Default)]
pub struct RuleTable {
    rules: Vec<Rule>,
}

impl RuleTable {
    pub fn push(&mut self, pattern: &str, substitution: Option<&str>) {
        self.rules.push(Rule {
            pattern: pattern.to_owned(),
            substitution: substitution.map(str::to_owned),
        });
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Apply the first matching rule: `None` if no rule matched, `Some(None)` if the
    /// matching rule has no substitution.
    pub fn apply(&self, input: &str) -> Option<Option<String>> {
        self.rules.iter().find_map(|rule| {
            let groups = match_pattern(&rule.pattern, input)?;
            Some(
                rule.substitution
                    .as_deref()
                    .map(|s| substitute(s, input, &groups)),
            )
        })
    }
}

/// Match the whole `input` against `pattern`; the text each wildcard matched, in order.
pub fn match_pattern(pattern: &str, input: &str) -> Option<Vec<String>> {
    let mut groups = Vec::new();
    if match_from(pattern.as_bytes(), input.as_bytes(), &mut groups) {
        groups.reverse();
        Some(
            groups
                .into_iter()
                .map(|g| String::from_utf8_lossy(g).into_owned())
                .collect(),
        )
    } else {
        None
    }
}

/// Greedy matching with backtracking; groups are pushed innermost-last, so reversed.
fn match_from<'a>(pattern: &[u8], input: &'a [u8], groups: &mut Vec<&'a [u8]>) -> bool {
    match pattern.first() {
        None => input.is_empty(),
        Some(&wild @ (b'%' | b'*')) => {
            // The longest run this wildcard may take.
            let max = if wild == b'%' {
                input.iter().position(|&c| c == b'/').unwrap_or(input.len())
            } else {
                input.len()
            };
            for take in (0..=max).rev() {
                let before = groups.len();
                if match_from(&pattern[1..], &input[take..], groups) {
                    groups.push(&input[..take]);
                    return true;
                }
                groups.truncate(before);
            }
            false
        }
        Some(&c) => input.first() == Some(&c) && match_from(&pattern[1..], &input[1..], groups),
    }
}

/// Expand `$N`, `$$` in a substitution.
pub fn substitute(substitution: &str, input: &str, groups: &[String]) -> String {
    let bytes = substitution.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            if bytes.get(i + 1) == Some(&b'$') {
                out.push('$');
                i += 2;
                continue;
            }
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 {
                let n: usize = substitution[i + 1..i + 1 + digits]
                    .parse()
                    .unwrap_or(usize::MAX);
                if n == 0 {
                    out.push_str(input);
                } else if let Some(g) = groups.get(n - 1) {
                    out.push_str(g);
                }
                i += 1 + digits;
                continue;
            }
        }
        let ch = substitution[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_like_proton() {
        let a = Address::parse("amqp://user:p%40ss@host:1234/queue/a");
        assert_eq!(a.scheme.as_deref(), Some("amqp"));
        assert_eq!(
            (a.user.as_deref(), a.password.as_deref()),
            (Some("user"), Some("p@ss"))
        );
        assert_eq!(
            (a.host.as_deref(), a.port.as_deref()),
            (Some("host"), Some("1234"))
        );
        assert_eq!(a.name.as_deref(), Some("queue/a"));
        let b = Address::parse("amqp://~0.0.0.0:5672");
        assert!(b.passive);
        assert_eq!(
            (b.host.as_deref(), b.port.as_deref(), b.name),
            (Some("0.0.0.0"), Some("5672"), None)
        );
        assert_eq!(Address::parse("host/").name.as_deref(), Some(""));
        assert_eq!(Address::parse("host").name, None);
        assert_eq!(Address::parse("[::1]:99/x").host.as_deref(), Some("::1"));
        assert_eq!(Address::parse("amqps://h").port_or_default(), "5671");
        assert_eq!(Address::parse("h").port_or_default(), "5672");
        // "://" after a slash is not a scheme.
        assert_eq!(Address::parse("a/b://c").scheme, None);
    }

    #[test]
    fn default_rewrite_drops_credentials() {
        assert_eq!(
            strip_credentials("user:pass@original:123/name"),
            "original:123/name"
        );
        assert_eq!(strip_credentials("amqp://user@original"), "amqp://original");
        assert_eq!(strip_credentials("amqp://host/name"), "amqp://host/name");
    }

    #[test]
    fn patterns_and_substitutions() {
        let mut t = RuleTable::default();
        t.push("amqp://%/*", Some("$2@$1"));
        assert_eq!(
            t.apply("amqp://domain/name"),
            Some(Some("name@domain".into()))
        );
        let mut t = RuleTable::default();
        t.push("amqp://%@*", Some("amqp://$2"));
        assert_eq!(t.apply("amqp://foo@bar"), Some(Some("amqp://bar".into())));
        let mut t = RuleTable::default();
        t.push("*", Some("amqp://127.0.0.1:5672/$1"));
        assert_eq!(t.apply("q"), Some(Some("amqp://127.0.0.1:5672/q".into())));
        let mut t = RuleTable::default();
        t.push("*", None);
        assert_eq!(t.apply("x"), Some(None));
        assert_eq!(RuleTable::default().apply("x"), None);
        assert_eq!(substitute("$$ $0 $9", "in", &[]), "$ in ");
        // '%' does not cross a '/'.
        assert_eq!(match_pattern("%", "a/b"), None);
        assert_eq!(match_pattern("*", "a/b"), Some(vec!["a/b".to_string()]));
    }
}
