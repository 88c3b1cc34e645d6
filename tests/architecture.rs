//! The shape of the source tree, read from the source itself: no two files of
//! `src/` import each other, directly or around a circle; the layers of
//! ARCHITECTURE.md call only inward; pages do not reach into the API; the
//! domain does no I/O. Modules compiled only for tests are left out, as the
//! compiler leaves them out of the program.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use syn::visit::Visit;

/// A module of the crate by its path (`storage::report::drill`; the crate
/// root is ""), with the file it lives in, parsed.
struct Module {
    name: String,
    ast: syn::File,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string() == "test")
    })
}

fn join(path: &[String]) -> String {
    path.join("::")
}

/// Every module of the program, found as the compiler finds them: from
/// `lib.rs` through each `mod name;`.
fn modules() -> Vec<Module> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    read_module(&src.join("lib.rs"), &src, Vec::new(), &mut out);
    out
}

fn read_module(file: &Path, dir: &Path, path: Vec<String>, out: &mut Vec<Module>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    for item in &ast.items {
        let syn::Item::Mod(m) = item else { continue };
        if m.content.is_some() || is_test_only(&m.attrs) {
            continue;
        }
        let name = m.ident.to_string();
        let flat = dir.join(format!("{name}.rs"));
        let (child, child_dir) = if flat.exists() {
            (flat, dir.join(&name))
        } else {
            (dir.join(&name).join("mod.rs"), dir.join(&name))
        };
        let mut child_path = path.clone();
        child_path.push(name);
        read_module(&child, &child_dir, child_path, out);
    }
    out.push(Module {
        name: join(&path),
        ast,
    });
}

/// The paths a file names, absolute where they start from this crate
/// (`crate::`, `super::`, `self::` or a child module), as written otherwise.
struct Paths<'m> {
    /// Where the code being read sits, inline modules included.
    here: Vec<String>,
    names: &'m BTreeSet<String>,
    crate_paths: Vec<Vec<String>>,
    other_paths: Vec<Vec<String>>,
}

impl Paths<'_> {
    /// The path from the crate's root when it starts in this crate.
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        let mut base = self.here.clone();
        let rest = match first.as_str() {
            "crate" => {
                base.clear();
                &segments[1..]
            }
            "self" => &segments[1..],
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                base.truncate(base.len().saturating_sub(ups));
                &segments[ups..]
            }
            child
                if self
                    .names
                    .contains(&join(&[self.here.clone(), vec![child.into()]].concat())) =>
            {
                segments
            }
            _ => return None,
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn add(&mut self, segments: Vec<String>) {
        match self.absolute(&segments) {
            Some(path) => self.crate_paths.push(path),
            None if !segments.is_empty() => self.other_paths.push(segments),
            None => {}
        }
    }
}

/// Each name a `use` declaration brings in (`None` for a glob) with the
/// path it names, as written.
fn use_leaves(tree: &syn::UseTree) -> Vec<(Option<String>, Vec<String>)> {
    fn walk(
        prefix: &mut Vec<String>,
        tree: &syn::UseTree,
        out: &mut Vec<(Option<String>, Vec<String>)>,
    ) {
        let path = |prefix: &[String], ident: &syn::Ident| [prefix, &[ident.to_string()]].concat();
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                walk(prefix, &p.tree, out);
                prefix.pop();
            }
            syn::UseTree::Name(n) => out.push((Some(n.ident.to_string()), path(prefix, &n.ident))),
            syn::UseTree::Rename(r) => {
                out.push((Some(r.rename.to_string()), path(prefix, &r.ident)))
            }
            syn::UseTree::Glob(_) => out.push((None, prefix.clone())),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    walk(prefix, t, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&mut Vec::new(), tree, &mut out);
    out
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Enum(i) => &i.attrs,
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Macro(i) => &i.attrs,
            syn::Item::Mod(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            syn::Item::Struct(i) => &i.attrs,
            syn::Item::Trait(i) => &i.attrs,
            syn::Item::Type(i) => &i.attrs,
            syn::Item::Use(i) => &i.attrs,
            _ => &[],
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if let Some((_, items)) = &m.content {
            self.here.push(m.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.here.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        for (_, path) in use_leaves(&u.tree) {
            self.add(path);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.segments.len() > 1 {
            self.add(p.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, p);
    }

    /// A macro's body is not parsed: its paths are read from its tokens.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        let text = mac
            .tokens
            .to_string()
            .replace(" ::", "::")
            .replace(":: ", "::");
        for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
            let segments: Vec<String> = word.split("::").map(str::to_string).collect();
            if segments.len() > 1 && segments.iter().all(|s| !s.is_empty()) {
                self.add(segments);
            }
        }
    }
}

/// The names a module's own `use` declarations bring in, each with the path
/// it stands for: a name another module reads through this one (a folder's
/// `pub use`) is followed to where it lives.
fn aliases(paths: &Paths, items: &[syn::Item]) -> BTreeMap<String, Vec<String>> {
    let uses = items.iter().filter_map(|item| match item {
        syn::Item::Use(u) if !is_test_only(&u.attrs) => Some(use_leaves(&u.tree)),
        _ => None,
    });
    uses.flatten()
        .filter_map(|(name, path)| Some((name?, paths.absolute(&path)?)))
        .collect()
}

/// The modules a path from the crate's root goes through to the one its
/// item lives in (last), following the modules' `use` declarations. A folder
/// that passes on an item of its own files is left out: that is its front,
/// not a step; a module passing on another's item is a step.
fn resolve(
    mut path: Vec<String>,
    names: &BTreeSet<String>,
    aliases: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
) -> Vec<String> {
    let mut through = Vec::new();
    // Each step follows one `use`; a chain longer than this is a `use` of itself.
    for _ in 0..16 {
        let Some(n) = (0..=path.len())
            .rev()
            .find(|n| names.contains(&join(&path[..*n])))
        else {
            break;
        };
        let module = join(&path[..n]);
        let target = path.get(n).and_then(|name| aliases.get(&module)?.get(name));
        match target {
            Some(target) if target[..] != path[..=n] => {
                through.push(module);
                path = [target.clone(), path[n + 1..].to_vec()].concat();
            }
            _ => {
                through.retain(|m| !module.starts_with(&format!("{m}::")));
                through.push(module);
                break;
            }
        }
    }
    through
}

/// What the crate's modules import of each other, and every path naming
/// something outside the crate, by module.
struct Imports {
    edges: BTreeMap<String, BTreeSet<String>>,
    outside: BTreeMap<String, Vec<Vec<String>>>,
}

fn imports(modules: &[Module]) -> Imports {
    let names: BTreeSet<String> = modules.iter().map(|m| m.name.clone()).collect();
    let mut edges = BTreeMap::new();
    let mut outside = BTreeMap::new();
    let mut all_aliases = BTreeMap::new();
    let mut crate_paths = BTreeMap::new();
    for m in modules {
        let here: Vec<String> = if m.name.is_empty() {
            Vec::new()
        } else {
            m.name.split("::").map(str::to_string).collect()
        };
        let mut paths = Paths {
            here,
            names: &names,
            crate_paths: Vec::new(),
            other_paths: Vec::new(),
        };
        all_aliases.insert(m.name.clone(), aliases(&paths, &m.ast.items));
        for item in &m.ast.items {
            paths.visit_item(item);
        }
        crate_paths.insert(m.name.clone(), paths.crate_paths);
        outside.insert(m.name.clone(), paths.other_paths);
    }
    for (module, paths) in crate_paths {
        let mut to = BTreeSet::new();
        for target in paths
            .into_iter()
            .flat_map(|p| resolve(p, &names, &all_aliases))
        {
            // A module reading its parents' names is how a folder shares
            // them with its files (`super::Result`); a parent reading its
            // children is the folder's front. Neither is a circle between files.
            let is_ancestor = target.is_empty() || module.starts_with(&format!("{target}::"));
            if target != module && !is_ancestor {
                to.insert(target);
            }
        }
        edges.insert(module, to);
    }
    Imports { edges, outside }
}

/// A circle of the graph, if it has one: the nodes in their order around it.
fn find_circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn walk(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        trail: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = trail.iter().position(|n| n == node).unwrap_or(0);
                return Some(trail[start..].to_vec());
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        trail.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = walk(next, edges, marks, trail) {
                return Some(circle);
            }
        }
        trail.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in edges.keys() {
        if let Some(circle) = walk(node, edges, &mut marks, &mut Vec::new()) {
            return Some(circle);
        }
    }
    None
}

fn layer(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

/// The graph of the top-level modules (the layers and their neighbours).
fn layers(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in edges {
        if from.is_empty() {
            continue;
        }
        let entry = out.entry(layer(from).to_string()).or_default();
        for to in tos {
            if layer(to) != layer(from) {
                entry.insert(layer(to).to_string());
            }
        }
    }
    out
}

fn graph(pairs: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in pairs {
        g.entry(a.to_string()).or_default().insert(b.to_string());
        g.entry(b.to_string()).or_default();
    }
    g
}

#[test]
fn the_circle_finder_finds_circles_and_only_them() {
    assert_eq!(
        find_circle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
    let circle =
        find_circle(&graph(&[("a", "b"), ("b", "c"), ("c", "d"), ("d", "b")])).expect("a circle");
    assert_eq!(circle, ["b", "c", "d"]);
    assert!(find_circle(&graph(&[("x", "y"), ("y", "x")])).is_some());
}

#[test]
fn every_module_of_the_program_is_read() {
    let modules = modules();
    let names: BTreeSet<&str> = modules.iter().map(|m| m.name.as_str()).collect();
    for expected in [
        "",
        "domain",
        "domain::conclusion::segmentation",
        "storage::report::drill",
        "web::pages::frame",
        "mail",
    ] {
        assert!(names.contains(expected), "{expected:?} among {names:?}");
    }
    // Compiled for tests only, like the parser's rate measurements.
    assert!(!names.contains("domain::conclusion::rates"));
    let imports = imports(&modules);
    let drill = &imports.edges["storage::report::drill"];
    for expected in [
        "storage::id_set",
        "storage::tasks",
        "storage::report::pick",
        "domain::dashboard",
    ] {
        assert!(
            drill.contains(expected),
            "drill imports {expected}: {drill:?}"
        );
    }
}

#[test]
fn no_file_imports_itself_around_a_circle() {
    let imports = imports(&modules());
    if let Some(circle) = find_circle(&imports.edges) {
        panic!(
            "these modules import each other in a circle: {}",
            circle.join(" → ")
        );
    }
}

#[test]
fn the_layers_call_only_inward() {
    let imports = imports(&modules());
    let layers = layers(&imports.edges);
    if let Some(circle) = find_circle(&layers) {
        panic!(
            "these layers import each other in a circle: {}",
            circle.join(" → ")
        );
    }
    // What each layer may not know of (ARCHITECTURE.md, "Layers").
    let outer: &[(&str, &[&str])] = &[
        ("storage", &["web", "mail", "cli", "demo", "import"]),
        ("mail", &["web", "cli", "demo", "import"]),
    ];
    for (module, to) in &imports.edges {
        for target in to {
            if layer(module) == "domain" {
                assert_eq!(
                    layer(target),
                    "domain",
                    "the domain imports only itself: {module} → {target}"
                );
            }
            for (inner, forbidden) in outer {
                assert!(
                    layer(module) != *inner || !forbidden.contains(&layer(target)),
                    "{module} → {target}"
                );
            }
            // Pages and the API are the outer leaves of `web`: the app's
            // assembly (`web` itself) registers them; neither reads the
            // other, and what both need lives beside them in `web`.
            for leaf in ["web::pages", "web::api"] {
                let inside = |m: &str| m == leaf || m.starts_with(&format!("{leaf}::"));
                assert!(
                    !inside(target) || inside(module) || module == "web",
                    "only the app's assembly reads {leaf}: {module} → {target}"
                );
            }
        }
    }
}

#[test]
fn the_domain_does_no_input_or_output() {
    let imports = imports(&modules());
    // Whole crates or modules whose only business is I/O; `lettre` is allowed
    // its address parser alone.
    let forbidden: &[&[&str]] = &[
        &["diesel"],
        &["actix_web"],
        &["actix_multipart"],
        &["tera"],
        &["tokio"],
        &["reqwest"],
        &["std", "fs"],
        &["std", "env"],
        &["std", "process"],
        &["std", "net", "TcpStream"],
        &["std", "net", "TcpListener"],
        &["std", "net", "UdpSocket"],
    ];
    for (module, paths) in &imports.outside {
        if layer(module) != "domain" {
            continue;
        }
        for p in paths {
            let p: Vec<&str> = p.iter().map(String::as_str).collect();
            for f in forbidden {
                assert!(!p.starts_with(f), "{module} uses {}", p.join("::"));
            }
            assert!(
                p.first() != Some(&"lettre") || p == ["lettre", "Address"],
                "{module} uses {}",
                p.join("::")
            );
        }
    }
}
