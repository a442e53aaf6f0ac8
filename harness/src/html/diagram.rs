//! A trace as a sequence diagram: one lifeline per party (client, store, MAPI, spooler,
//! transport), the calls made to the store as arrows to its lifeline, the store's answers back,
//! and the calls the implementation made to MAPI's support object (and, in profile system, to
//! preprocessors and transports) as arrows of their own. Inline SVG: no script, no fonts to load.

use super::trace::Step;
use maud::{html, Markup};

/// The lifelines, left to right.
const LANES: [&str; 5] = ["client", "store", "MAPI", "spooler", "transport"];
const LANE_GAP: f64 = 190.0;
const LEFT: f64 = 80.0;
const TOP: f64 = 44.0;
const ROW: f64 = 24.0;
/// Longest label drawn; the table under the diagram has the whole text.
const LABEL: usize = 44;

fn lane(name: &str) -> usize {
    LANES.iter().position(|l| *l == name).unwrap_or(0)
}

fn x(lane: usize) -> f64 {
    LEFT + LANE_GAP * lane as f64
}

/// One arrow of the diagram.
struct Arrow {
    from: usize,
    to: usize,
    label: String,
    kind: &'static str,
    failing: bool,
}

fn short(text: &str) -> String {
    if text.chars().count() <= LABEL {
        text.to_string()
    } else {
        let cut: String = text.chars().take(LABEL - 1).collect();
        format!("{cut}…")
    }
}

/// The arrows of a trace, in order; `failing` is the index of the failing step.
fn arrows(steps: &[Step], failing: usize) -> Vec<Arrow> {
    let store = lane("store");
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let bad = i == failing;
        let caller = lane(&s.role);
        out.push(Arrow {
            from: caller,
            to: store,
            label: format!("{}. {}", s.number, s.call),
            kind: "call",
            failing: bad,
        });
        for c in &s.calls {
            // The spooler runs preprocessors and hands messages to transports (`SMTP.SubmitMessage`).
            let to_transport = c.starts_with("Preprocess") || c.contains(".SubmitMessage(");
            let (from, to) = if to_transport {
                (lane("spooler"), lane("transport"))
            } else {
                (store, lane("MAPI"))
            };
            out.push(Arrow {
                from,
                to,
                label: c.clone(),
                kind: "support",
                failing: bad,
            });
        }
        for n in &s.notifications {
            out.push(Arrow {
                from: store,
                to: lane("MAPI"),
                label: format!("notify {n}"),
                kind: "notify",
                failing: bad,
            });
        }
        if caller != store {
            out.push(Arrow {
                from: store,
                to: caller,
                label: s.result.clone(),
                kind: "return",
                failing: bad,
            });
        }
    }
    out
}

/// The diagram of a trace whose step `failing` (counted from 0) failed; `id` makes its marker
/// names unique on the page.
pub fn sequence(steps: &[Step], failing: usize, id: &str) -> Markup {
    let arrows = arrows(steps, failing);
    let width = x(LANES.len() - 1) + LEFT;
    let height = TOP + ROW * (arrows.len() as f64 + 1.0);
    let marker = format!("arrow-{id}");
    let marker_bad = format!("arrow-bad-{id}");
    html! {
        svg.sequence viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height)
            role="img" aria-label="the trace as a sequence of calls between the parties" {
            defs {
                marker id=(marker) viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"
                    markerHeight="7" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" fill="#445" {}
                }
                marker id=(marker_bad) viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"
                    markerHeight="7" orient="auto-start-reverse" {
                    path d="M 0 0 L 10 5 L 0 10 z" fill="#c62828" {}
                }
            }
            @for (i, name) in LANES.iter().enumerate() {
                rect.lane x=(x(i) - 44.0) y="6" width="88" height="24" rx="5" {}
                text.lane x=(x(i)) y="22" text-anchor="middle" { (name) }
                line.lifeline x1=(x(i)) y1="30" x2=(x(i)) y2=(height - 6.0) {}
            }
            @for (i, a) in arrows.iter().enumerate() {
                @let y = TOP + ROW * (i as f64 + 0.5);
                @let class = format!("{}{}", a.kind, if a.failing { " failing" } else { "" });
                @let end = if a.failing { &marker_bad } else { &marker };
                g class=(class) {
                    title { (a.label) }
                    @if a.from == a.to {
                        path d={ "M " (x(a.from)) " " (y - 6.0) " h 28 v 12 h -26" } fill="none"
                            marker-end={ "url(#" (end) ")" } {}
                        text x=(x(a.from) + 34.0) y=(y + 4.0) { (short(&a.label)) }
                    } @else {
                        @let (x1, x2) = (x(a.from), x(a.to));
                        @let inset = if x2 > x1 { -2.0 } else { 2.0 };
                        line x1=(x1) y1=(y + 5.0) x2=(x2 + inset) y2=(y + 5.0)
                            marker-end={ "url(#" (end) ")" } {}
                        text x=(x1.min(x2) + 8.0) y=(y + 1.0) { (short(&a.label)) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(role: &str, call: &str, calls: &[&str]) -> Step {
        Step {
            number: "1".into(),
            role: role.into(),
            call: call.into(),
            result: "S_OK".into(),
            calls: calls.iter().map(|c| c.to_string()).collect(),
            notifications: vec!["queue ROW_ADDED m1".into()],
            after: String::new(),
        }
    }

    #[test]
    fn calls_go_between_the_right_parties() {
        let steps = [
            step("client", "SubmitMessage(m1)", &["PrepareSubmit(m1, 0)"]),
            step(
                "spooler",
                "FinishedMsg(m1)",
                &["SMTP.SubmitMessage(m1, rows [1])"],
            ),
            step("store", "Restart", &[]),
        ];
        let a = arrows(&steps, 1);
        let route: Vec<(&str, &str, &str)> = a
            .iter()
            .map(|a| (LANES[a.from], LANES[a.to], a.kind))
            .collect();
        assert_eq!(
            route,
            [
                ("client", "store", "call"),
                ("store", "MAPI", "support"),
                ("store", "MAPI", "notify"),
                ("store", "client", "return"),
                ("spooler", "store", "call"),
                ("spooler", "transport", "support"),
                ("store", "MAPI", "notify"),
                ("store", "spooler", "return"),
                ("store", "store", "call"),
                ("store", "MAPI", "notify"),
            ]
        );
        assert!(a[4].failing && !a[0].failing);
        let svg = sequence(&steps, 1, "t").into_string();
        assert!(svg.starts_with("<svg") && svg.contains("SubmitMessage(m1)"));
    }
}
