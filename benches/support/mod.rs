//! What the benchmarks share: their command line and how rounds are summed up.

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let k = v.len();
    if k % 2 == 1 {
        v[k / 2]
    } else {
        (v[k / 2 - 1] + v[k / 2]) / 2.0
    }
}

pub fn best(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

pub struct Options {
    pub filters: Vec<String>,
    pub rounds: usize,
    pub scale: f64,
    pub n: Option<usize>,
}

/// The command line: `--quick` (quick_rounds rounds at 0.2 scale), `--rounds N`, `--n N`,
/// and names filtering the scenarios; `rounds` by default.
pub fn options(rounds: usize, quick_rounds: usize) -> Options {
    let mut o = Options {
        filters: Vec::new(),
        rounds,
        scale: 1.0,
        n: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bench" => {}
            "--quick" => {
                o.rounds = quick_rounds;
                o.scale = 0.2;
            }
            "--rounds" => {
                o.rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--rounds N")
            }
            "--n" => o.n = Some(args.next().and_then(|v| v.parse().ok()).expect("--n N")),
            s if s.starts_with("--") => {}
            s => o.filters.push(s.to_owned()),
        }
    }
    o
}
