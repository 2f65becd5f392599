//! The app's source stays in small files, small functions and modules that import each
//! other only one way.
//!
//! - no file in `src/` over [`MAX_FILE_LINES`] lines;
//! - no function over [`MAX_FN_LINES`] lines (from `fn` to its closing brace);
//! - no cycle in the module graph. An edge runs from a file to every module it names
//!   through `crate::…` or `super::…` (in `use` lines, brace groups included, and in
//!   code), and from a folder's `mod.rs` to the children it declares. Inline
//!   `#[cfg(test)] mod tests { … }` blocks and `#[cfg(test)] mod …;` declarations are
//!   left out: tests may reach across features, the app's own code may not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest source file, lines.
const MAX_FILE_LINES: usize = 600;
/// Longest function, lines.
const MAX_FN_LINES: usize = 100;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are module `a::b`; `src/main.rs` is the crate root.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir()).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// The file's lines without comments and without `#[cfg(test)]` modules.
fn production_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        if t == "#[cfg(test)]" {
            let indent = line.len() - t.len();
            let next = lines.peek().map_or("", |l| l.trim_start());
            let is_mod = next.starts_with("mod ") || next.starts_with("pub mod ");
            if is_mod && next.ends_with(';') {
                lines.next();
                continue;
            }
            if is_mod && next.ends_with('{') {
                let close = format!("{}}}", " ".repeat(indent));
                for l in lines.by_ref() {
                    if l == close {
                        break;
                    }
                }
                continue;
            }
        }
        out.push(line.to_string());
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Parses a path tree at `s` (`a::b`, `a::{b, c::d}`, `a::*`) into full paths.
fn path_tree(s: &[char], i: &mut usize, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    loop {
        while *i < s.len() && s[*i].is_whitespace() {
            *i += 1;
        }
        if *i < s.len() && s[*i] == '{' {
            *i += 1;
            loop {
                path_tree(s, i, &path, out);
                while *i < s.len() && s[*i].is_whitespace() {
                    *i += 1;
                }
                match s.get(*i) {
                    Some(',') => *i += 1,
                    Some('}') => {
                        *i += 1;
                        return;
                    }
                    _ => return,
                }
                while *i < s.len() && s[*i].is_whitespace() {
                    *i += 1;
                }
                if s.get(*i) == Some(&'}') {
                    *i += 1;
                    return;
                }
            }
        }
        let start = *i;
        while *i < s.len() && is_ident(s[*i]) {
            *i += 1;
        }
        if start == *i {
            // `*` or the end of the path.
            out.push(path);
            return;
        }
        path.push(s[start..*i].iter().collect());
        if s.get(*i) == Some(&':') && s.get(*i + 1) == Some(&':') {
            *i += 2;
        } else {
            out.push(path);
            return;
        }
    }
}

/// Every module path named in `lines` through `crate::` or `super::`, made absolute.
fn named_paths(lines: &[String], module: &[String]) -> Vec<Vec<String>> {
    let text: Vec<char> = lines.join("\n").chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let at_word = i == 0 || !is_ident(text[i - 1]);
        let rest: String = text[i..text.len().min(i + 7)].iter().collect();
        if at_word && rest.starts_with("crate::") {
            i += 7;
            path_tree(&text, &mut i, &[], &mut out);
        } else if at_word && rest.starts_with("super::") {
            i += 7;
            // A `mod.rs` is its folder's module: its `super` is the folder's parent.
            let mut parent = module.to_vec();
            parent.pop();
            path_tree(&text, &mut i, &parent, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// Child modules declared with `mod name;` (test-only ones are already left out).
fn declared_children(lines: &[String], module: &[String]) -> Vec<Vec<String>> {
    lines
        .iter()
        .filter_map(|l| {
            let t = l.trim_start();
            let t = t
                .strip_prefix("pub(crate) ")
                .or_else(|| t.strip_prefix("pub(super) "))
                .or_else(|| t.strip_prefix("pub "))
                .unwrap_or(t);
            let name = t.strip_prefix("mod ")?.strip_suffix(';')?;
            let mut m = module.to_vec();
            m.push(name.to_string());
            Some(m)
        })
        .collect()
}

/// The module graph: for each module, the modules its file names.
fn module_graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> =
        files.iter().map(|f| (module_of(f), f.clone())).collect();
    let mut graph = BTreeMap::new();
    for (module, file) in &modules {
        let lines = production_lines(&std::fs::read_to_string(file).unwrap());
        let is_mod_rs = file.ends_with("mod.rs") || file.ends_with("main.rs");
        let mut edges = BTreeSet::new();
        let mut named = named_paths(&lines, module);
        if is_mod_rs {
            named.extend(declared_children(&lines, module));
        }
        for path in named {
            // The longest prefix that is a module file.
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains_key(p));
            if let Some(t) = target
                && &t != module
            {
                edges.insert(t);
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// One cycle in `graph`, if any (depth-first search).
fn find_cycle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        n: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        marks: &mut BTreeMap<Vec<String>, Mark>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        match marks.get(n) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|s| s == n).unwrap();
                let mut cycle: Vec<String> = stack[from..].iter().map(|m| name(m)).collect();
                cycle.push(name(n));
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(n.clone(), Mark::Open);
        stack.push(n.clone());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(n.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut marks, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let long: Vec<String> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap().lines().count()))
        .filter(|(_, n)| *n > MAX_FILE_LINES)
        .map(|(f, n)| format!("{}: {n} lines", f.display()))
        .collect();
    assert!(long.is_empty(), "split these files: {long:#?}");
}

/// Functions as (name, first line, lines), from `fn` to the brace that closes it.
fn functions(file: &Path) -> Vec<(String, usize, usize)> {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(at) = t.find("fn ") else { continue };
        let head = &t[..at];
        let qualifiers = [
            "pub",
            "pub(crate)",
            "pub(super)",
            "async",
            "const",
            "unsafe",
        ];
        if !head.split_whitespace().all(|w| qualifiers.contains(&w)) {
            continue;
        }
        let name: String = t[at + 3..].chars().take_while(|c| is_ident(*c)).collect();
        let indent = line.len() - t.len();
        let close = format!("{}}}", " ".repeat(indent));
        let mut end = None;
        for (j, l) in lines.iter().enumerate().skip(i) {
            if j == i && t.ends_with('}') {
                end = Some(j);
                break;
            }
            if *l == close {
                end = Some(j);
                break;
            }
            // A declaration without a body.
            if j == i && t.ends_with(';') {
                break;
            }
        }
        if let Some(end) = end {
            out.push((name, i + 1, end - i + 1));
        }
    }
    out
}

#[test]
fn no_function_is_over_100_lines() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut long = Vec::new();
    for f in &files {
        for (name, line, n) in functions(f) {
            if n > MAX_FN_LINES {
                long.push(format!("{}:{line} fn {name}: {n} lines", f.display()));
            }
        }
    }
    assert!(long.is_empty(), "split these functions: {long:#?}");
}

#[test]
fn modules_import_each_other_one_way() {
    let graph = module_graph();
    assert!(graph.len() > 20, "the graph has every module: {graph:?}");
    assert!(
        graph[&vec!["map".to_string()]].contains(&vec!["map".into(), "camera".into()]),
        "a folder's mod.rs leads to its children"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

/// Top-level folders import each other one way too (a `map` file may not use `tools`
/// when a `tools` file uses `map`).
#[test]
fn feature_folders_import_each_other_one_way() {
    let mut folders: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (m, edges) in module_graph() {
        let Some(top) = m.first() else { continue };
        let entry = folders.entry(vec![top.clone()]).or_default();
        for e in edges {
            if let Some(t) = e.first()
                && t != top
            {
                entry.insert(vec![t.clone()]);
            }
        }
    }
    if let Some(cycle) = find_cycle(&folders) {
        panic!("import cycle between folders: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_checker_sees_cycles_and_groups() {
    let module = vec!["tools".to_string(), "panel".to_string()];
    let lines = vec![
        "use crate::map::{frame::MapFrame, view::{MainCamera, zoom_to}};".to_string(),
        "use super::doc::PlanDoc;".to_string(),
        "let b = crate::link::sim_fleet::BASES[0];".to_string(),
    ];
    let paths: BTreeSet<String> = named_paths(&lines, &module)
        .iter()
        .map(|p| p.join("::"))
        .collect();
    for want in [
        "map::frame::MapFrame",
        "map::view::MainCamera",
        "map::view::zoom_to",
        "tools::doc::PlanDoc",
        "link::sim_fleet::BASES",
    ] {
        assert!(paths.contains(want), "{want} in {paths:?}");
    }
    let text = "#[cfg(test)]\nmod tests {\n    use crate::x::Y;\n}\nuse crate::z::W;\n";
    assert_eq!(production_lines(text), vec!["use crate::z::W;".to_string()]);
    let m = |s: &str| vec![s.to_string()];
    let mut g = BTreeMap::new();
    g.insert(m("a"), BTreeSet::from([m("b")]));
    g.insert(m("b"), BTreeSet::from([m("a")]));
    assert!(find_cycle(&g).is_some());
    g.insert(m("b"), BTreeSet::new());
    assert!(find_cycle(&g).is_none());
}
