//! Running `wrk` and reading its figures: requests per second, p99 latency (from
//! `--latency`), and socket errors plus non-2xx/3xx answers.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::Args;

/// One wrk run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Figures {
    pub rps: f64,
    pub p99_ms: f64,
    pub requests: u64,
    /// Socket errors and answers other than 2xx or 3xx.
    pub bad: u64,
}

/// Runs wrk against `url` (with a Lua script if given) on a blocking thread.
pub async fn run(url: &str, script: Option<&Path>, args: &Args) -> Figures {
    let mut command = Command::new("wrk");
    command.args([
        format!("-t{}", args.threads),
        format!("-c{}", args.connections),
        format!("-d{}s", args.duration_secs),
        "--latency".to_owned(),
    ]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    command.arg(url);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("wrk thread")
        .expect("wrk runs (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed: {text}");
    parse(&text).unwrap_or_else(|| panic!("unreadable wrk output:\n{text}"))
}

/// The figures of wrk's output.
pub fn parse(text: &str) -> Option<Figures> {
    let mut figures = Figures::default();
    let mut latency = false;
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Latency", "Distribution", ..] => latency = true,
            ["99%", value] if latency => figures.p99_ms = millis(value)?,
            ["Requests/sec:", value] => figures.rps = value.parse().ok()?,
            [n, "requests", "in", ..] => figures.requests = n.parse().ok()?,
            ["Non-2xx", "or", "3xx", "responses:", n] => figures.bad += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                figures.bad += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>()
            }
            _ => {}
        }
    }
    (figures.rps > 0.0).then_some(figures)
}

/// `812.00us`, `3.41ms`, `1.02s` in milliseconds.
fn millis(value: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = value.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = value.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = value.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (value, 1.0)
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

/// A script adding the staff Bearer token to every request.
pub fn write_bearer_script(path: &Path, token: &str) -> std::io::Result<()> {
    std::fs::write(
        path,
        format!("wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"),
    )
}

/// A script posting survey answers, cycling over every person's (token, CSRF) pair; each wrk
/// thread starts at its own offset. The first pass stores answers, later ones revise them.
pub fn write_survey_script(path: &Path, forms: &[(String, String)]) -> std::io::Result<()> {
    let mut lua = String::from("local forms = {\n");
    for (token, csrf) in forms {
        let _ = writeln!(lua, "  {{\"{token}\", \"{csrf}\"}},");
    }
    lua.push_str(
        r#"}
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
local i = 0
function init(args)
  i = math.floor(offset * #forms / 2)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
function request()
  i = i + 1
  local form = forms[(i % #forms) + 1]
  local body = "csrf=" .. form[2] .. "&recommend=9&clarity=4&comment=Clear+and+kind."
  return wrk.format("POST", "/s/" .. form[1], nil, body)
end
"#,
    );
    std::fs::write(path, lua)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_wrk_output() {
        let text = "Running 1s test\n  Latency Distribution\n     50%  1.00ms\n     99%  812.00us\n  100 requests in 1.00s, 1 KB read\n  Non-2xx or 3xx responses: 3\nRequests/sec:    100.50\n";
        let f = super::parse(text).unwrap();
        assert_eq!((f.requests, f.bad), (100, 3));
        assert!((f.p99_ms - 0.812).abs() < 1e-9 && (f.rps - 100.5).abs() < 1e-9);
    }
}
