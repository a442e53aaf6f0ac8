//! The HTML report as a user sees it: the page of `spoolcheck run --html` and of `spoolcheck
//! report` over three reports, opened in a real headless browser (Chromium) whose rendered DOM is
//! read back with an XML parser. Without Chromium the browser checks are skipped with a message,
//! unless `SPOOLCHECK_REQUIRE_BROWSER=1` (CI sets it), where a missing browser fails the test.

use crate::native;
use roxmltree::{Document, Node};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

fn spoolcheck(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spoolcheck"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the spoolcheck binary runs")
}

fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spoolcheck-html-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// The headless browser: `$SPOOLCHECK_CHROMIUM`, or the first of the usual names on the `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SPOOLCHECK_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// The browser, or `None` after saying why the browser checks are left out. Fails the test where
/// `SPOOLCHECK_REQUIRE_BROWSER=1`.
fn browser() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("SPOOLCHECK_REQUIRE_BROWSER").is_none_or(|v| v != "1"),
            "SPOOLCHECK_REQUIRE_BROWSER=1 but no Chromium was found (apt-get install chromium, or set SPOOLCHECK_CHROMIUM)"
        );
        eprintln!(
            "note: the browser checks of the HTML report are skipped: no Chromium on this machine \
             (apt-get install chromium, or set SPOOLCHECK_CHROMIUM)"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `mode` (`--dump-dom`, or `--screenshot=FILE`), with a
/// fresh profile, no network services, and a time limit; returns what it printed.
fn render(browser: &Path, page: &Path, mode: &[&str], dir: &Path) -> String {
    let profile = dir.join(format!("profile-{}", mode.len()));
    let _ = std::fs::remove_dir_all(&profile);
    let out_file = dir.join("browser.out");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(mode)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_file).expect("the output file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("Chromium starts");
    match child
        .wait_timeout(Duration::from_secs(120))
        .expect("Chromium can be waited for")
    {
        Some(status) => assert!(
            status.success(),
            "Chromium failed on {}: {status}",
            page.display()
        ),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium did not finish rendering {} in time",
                page.display()
            );
        }
    }
    std::fs::read_to_string(&out_file).expect("Chromium's output is text")
}

/// The DOM as Chromium serialises it, with its void elements closed, so that an XML parser reads it.
fn as_xml(dom: &str) -> String {
    let mut out = String::with_capacity(dom.len());
    let mut rest = dom;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let end = rest.find('>').expect("tags end") + 1;
        let tag = &rest[..end];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let void = [
            "meta", "br", "hr", "img", "input", "link", "wbr", "col", "source",
        ];
        if void.contains(&name.as_str()) && !tag.ends_with("/>") {
            out.push_str(&tag[..end - 1]);
            out.push_str("/>");
        } else if tag.starts_with("<!DOCTYPE") || tag.starts_with("<!doctype") {
            // roxmltree reads no DTD; the doctype says nothing the checks need.
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn has_class(node: &Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

fn find<'a, 'i>(root: Node<'a, 'i>, tag: &str, class: &str) -> Vec<Node<'a, 'i>> {
    root.descendants()
        .filter(|n| n.has_tag_name(tag) && (class.is_empty() || has_class(n, class)))
        .collect()
}

fn by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Node<'a, 'i> {
    doc.descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element #{id}"))
}

/// All the text under a node.
fn text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// The page is self-contained: no script, no style sheet, image or font from elsewhere.
fn assert_self_contained(html: &str) {
    for needle in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "src=",
        "url(http",
        "href=\"http",
        "@import",
    ] {
        assert!(!html.contains(needle), "the page has `{needle}`");
    }
}

/// Checks a page with one failure of `rule` with `steps` steps, and returns the saved trace's link.
fn assert_failure_shown(dom: &Document<'_>, rule: &str, mutant: &str) -> String {
    let article = find(dom.root(), "article", "failure")
        .into_iter()
        .find(|a| text(*a).contains(&format!("{rule} (")))
        .unwrap_or_else(|| panic!("no failure of {rule} on the page"));
    let headline = text(find(article, "span", "headline")[0]);
    assert!(
        headline.starts_with(&format!("{rule} (")) && headline.contains("violated at step"),
        "{headline}"
    );
    // The minimal trace as a table, the failing step marked.
    let table = find(article, "table", "trace")[0];
    let rows = find(table, "tbody", "")[0]
        .children()
        .filter(|n| n.has_tag_name("tr"))
        .collect::<Vec<_>>();
    assert!(!rows.is_empty());
    assert!(
        has_class(rows.last().unwrap(), "failing"),
        "the last step is the failing one"
    );
    // ... and as the parties' calls.
    let svg = find(article, "svg", "sequence")[0];
    let labels = text(svg);
    for party in ["client", "store", "MAPI", "spooler", "transport"] {
        assert!(labels.contains(party), "the diagram has no {party}");
    }
    assert!(
        !find(svg, "g", "failing").is_empty(),
        "the failing call is marked"
    );
    let replay = text(find(article, "p", "replay")[0]);
    assert!(
        replay.contains("spoolcheck replay ") && replay.contains(&format!("--mutant {mutant}")),
        "{replay}"
    );
    find(find(article, "p", "saved")[0], "a", "")[0]
        .attribute("href")
        .expect("a link to the saved trace")
        .to_string()
}

#[test]
fn a_run_page_shows_the_failure_and_its_trace_in_a_browser() {
    let dir = scratch("run");
    let mutant = "access02-modify-queued";
    let out = spoolcheck(
        &dir,
        &[
            "run", "--mutant", mutant, "--cases", "400", "--html", "r.html", "--out", "traces",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "a SHOULD violation warns: {}",
        both(&out)
    );
    let page = dir.join("r.html");
    let html = std::fs::read_to_string(&page).expect("the page is written");
    assert_self_contained(&html);
    assert!(html.contains("ACCESS-02 (SHOULD) violated at step"));
    let Some(browser) = browser() else { return };
    let dom = render(&browser, &page, &["--dump-dom"], &dir);
    let xml = as_xml(&dom);
    let dom = Document::parse(&xml).unwrap_or_else(|e| panic!("the rendered DOM ({e}):\n{xml}"));
    let href = assert_failure_shown(&dom, "ACCESS-02", mutant);
    assert!(
        dir.join(&href).is_file(),
        "the link {href} leads to the saved trace"
    );
    // The summary, the coverage chart and the rule table.
    let summary = text(find(dom.root(), "dl", "summary")[0]);
    for expected in [
        "conformant",
        "reference (mutant access02-modify-queued)",
        "profile = \"provider\"",
        "seed",
    ] {
        assert!(
            summary.contains(expected),
            "summary lacks {expected:?}: {summary}"
        );
    }
    assert!(!find(dom.root(), "svg", "coverage").is_empty());
    let rule = by_id(&dom, "r1-rule-ACCESS-02");
    assert!(
        text(rule).contains("warning") && text(rule).contains("SHOULD"),
        "{}",
        text(rule)
    );
    // The rule's statement and sources are one click away, in the page itself.
    let details = find(rule, "details", "rule")[0];
    assert!(text(details).contains("Sources"), "{}", text(details));

    // What a person sees: a screenshot of the page, taken by the same browser.
    let shot = dir.join("r.png");
    render(
        &browser,
        &page,
        &[
            "--window-size=1280,2000",
            &format!("--screenshot={}", shot.display()),
        ],
        &dir,
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "{} bytes",
        png.len()
    );
}

#[test]
fn three_reports_side_by_side_put_the_mutants_difference_first() {
    let dir = scratch("matrix");
    let (c_library, _) = native::c_example();
    let c = c_library.to_str().expect("a UTF-8 path");
    let mutant = "access02-modify-queued";
    for (args, file) in [
        (vec![], "reference.json"),
        (vec!["--cabi", c], "c-example.json"),
        (vec!["--mutant", mutant], "mutant.json"),
    ] {
        let mut all = vec!["run", "--cases", "400", "--json", file, "--out", "traces"];
        all.extend(args);
        let out = spoolcheck(&dir, &all);
        assert_eq!(out.status.code(), Some(0), "{all:?}: {}", both(&out));
    }
    let out = spoolcheck(
        &dir,
        &[
            "report",
            "reference.json",
            "c-example.json",
            "mutant.json",
            "--html",
            "site/three.html",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let said = both(&out);
    // One deviation, one failure: the rules it also breaks are violated in the mutant's report too.
    assert!(
        said.contains("2 rule(s) with different results: ACCESS-02, ACCESS-10"),
        "{said}"
    );
    let page = dir.join("site/three.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_self_contained(&html);
    let Some(browser) = browser() else { return };
    let xml = as_xml(&render(&browser, &page, &["--dump-dom"], &dir));
    let dom = Document::parse(&xml).unwrap_or_else(|e| panic!("the rendered DOM ({e}):\n{xml}"));
    let matrix = find(dom.root(), "table", "matrix")[0];
    let heads: Vec<String> = find(matrix, "th", "impl").into_iter().map(text).collect();
    assert_eq!(
        heads,
        [
            "reference",
            "c-example",
            "reference (mutant access02-modify-queued)"
        ]
    );
    // The first row of the matrix is the mutant's difference.
    let differ = find(matrix, "tbody", "differ")[0];
    let first = differ
        .children()
        .find(|n| n.has_tag_name("tr") && !has_class(n, "group"))
        .expect("a row that differs");
    assert!(text(first).contains("ACCESS-02"), "{}", text(first));
    let cells: Vec<Node<'_, '_>> = find(first, "td", "cell");
    assert!(has_class(&cells[0], "st-passed") && has_class(&cells[1], "st-passed"));
    assert!(has_class(&cells[2], "st-warning"), "{}", text(cells[2]));
    // The mutant's cell leads to its failure, with its trace; the trace link is relative to the
    // page, which is in another directory than the run's.
    let target = find(cells[2], "a", "")[0]
        .attribute("href")
        .unwrap()
        .trim_start_matches('#')
        .to_string();
    let article = by_id(&dom, &target);
    assert!(has_class(&article, "failure"));
    let href = assert_failure_shown(&dom, "ACCESS-02", mutant);
    assert!(dir.join("site").join(&href).is_file(), "{href}");
    // The rules with the same results follow.
    let same = find(matrix, "tbody", "same")[0];
    assert!(text(same).contains("SUBMIT-09"));
}
