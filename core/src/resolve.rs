//! Resolution: pack files (and, for an overlay, its resolved base) become one `ResolvedPack`,
//! the canonical form behind the digest and the unit a bundle carries.

use serde::{Deserialize, Serialize};

use crate::canonical;
use crate::error::{LoadError, Loc};
use crate::sorted::{SortedMap, SortedSet};
use crate::source::{
    self, FieldDecl, FieldsFile, Manifest, PackFiles, RuleDecl, RulesFile, TableSource,
};

/// Where each rule, field and table was declared, for error messages. Not part of the digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locations {
    pub rules: SortedMap<String, Loc>,
    pub fields: SortedMap<String, Loc>,
}

impl Locations {
    pub fn rule(&self, id: &str) -> Loc {
        self.rules
            .get(id)
            .cloned()
            .unwrap_or_else(|| Loc::new("rules.toml", None))
    }

    pub fn field(&self, path: &str) -> Loc {
        self.fields
            .get(path)
            .cloned()
            .unwrap_or_else(|| Loc::new("fields.toml", None))
    }
}

/// A pack with its overlays applied: everything evaluation needs, as plain data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolvedPack {
    pub manifest: Manifest,
    pub fields: Vec<FieldDecl>,
    pub tables: Vec<TableSource>,
    pub rules: Vec<RuleDecl>,
    #[serde(skip)]
    pub locations: Locations,
}

/// The JSON bundle that ships a resolved pack to browsers and servers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub digest: String,
    pub pack: ResolvedPack,
    /// Signatures of `digest` (see `signature`): not part of the digest, absent when unsigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<crate::signature::BundleSignature>,
}

pub const BUNDLE_FORMAT: &str = "hegui.bundle/1";

impl Bundle {
    /// Parses a bundle's JSON text. Nothing is checked yet: see `check_format`, `check_digest`
    /// (`ResolvedPack::from_bundle_json` does all three).
    pub fn from_json(text: &str) -> Result<Bundle, LoadError> {
        serde_json::from_str(text).map_err(|e| LoadError::Bundle {
            message: format!("not a hegui bundle: {e}"),
        })
    }

    /// `bundle.invalid` unless `format` is `hegui.bundle/1`.
    pub fn check_format(&self) -> Result<(), LoadError> {
        if self.format != BUNDLE_FORMAT {
            return Err(LoadError::Bundle {
                message: format!("format `{}` is not `{BUNDLE_FORMAT}`", self.format),
            });
        }
        Ok(())
    }

    /// Checks the format and the digest, and keeps the digest with the pack: `bundle.invalid`
    /// unless `format` is `hegui.bundle/1`, then `bundle.digest_mismatch` unless the claimed
    /// digest is the pack's own. `CompiledPack::compile_digested` takes the result without
    /// serialising and hashing the pack a second time.
    pub fn into_digested(self) -> Result<DigestedPack, LoadError> {
        self.check_format()?;
        let actual = self.pack.digest()?;
        self.check_digest(&actual)?;
        Ok(DigestedPack {
            pack: self.pack,
            digest: actual,
        })
    }

    /// `bundle.digest_mismatch` unless the claimed digest is `actual`, the digest of the pack
    /// (`ResolvedPack::digest`, computed by the caller).
    pub fn check_digest(&self, actual: &str) -> Result<(), LoadError> {
        if actual != self.digest {
            return Err(LoadError::DigestMismatch {
                claimed: self.digest.clone(),
                actual: actual.to_owned(),
            });
        }
        Ok(())
    }
}

/// A resolved pack with its digest, computed once. Only `ResolvedPack::digested` and
/// `Bundle::into_digested` make one, so the digest is always the pack's own.
#[derive(Debug, Clone)]
pub struct DigestedPack {
    pack: ResolvedPack,
    digest: String,
}

impl DigestedPack {
    pub fn pack(&self) -> &ResolvedPack {
        &self.pack
    }

    /// `sha256:` + hex, as `ResolvedPack::digest`.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    pub fn into_parts(self) -> (ResolvedPack, String) {
        (self.pack, self.digest)
    }

    pub fn into_pack(self) -> ResolvedPack {
        self.pack
    }
}

impl ResolvedPack {
    /// The pack with its digest.
    pub fn digested(self) -> Result<DigestedPack, LoadError> {
        let digest = self.digest()?;
        Ok(DigestedPack { pack: self, digest })
    }

    /// The pack as a JSON value (the input of the digest).
    pub fn to_value(&self) -> Result<serde_json::Value, LoadError> {
        serde_json::to_value(self).map_err(|e| LoadError::Bundle {
            message: format!("cannot serialise the pack: {e}"),
        })
    }

    /// `sha256:` + hex of the canonical serialisation of the resolved pack.
    pub fn digest(&self) -> Result<String, LoadError> {
        Ok(canonical::digest(&self.to_value()?))
    }

    /// The bundle as canonical JSON text: identical bytes on every machine.
    pub fn to_bundle_json(&self) -> Result<String, LoadError> {
        let pack = self.to_value()?;
        let digest = canonical::digest(&pack);
        let bundle = serde_json::json!({ "format": BUNDLE_FORMAT, "digest": digest, "pack": pack });
        Ok(canonical::to_canonical_string(&bundle))
    }

    /// Reads a bundle and checks that its digest matches its content.
    pub fn from_bundle_json(text: &str) -> Result<ResolvedPack, LoadError> {
        Self::from_bundle(Bundle::from_json(text)?)
    }

    pub fn from_bundle(bundle: Bundle) -> Result<ResolvedPack, LoadError> {
        bundle.into_digested().map(DigestedPack::into_pack)
    }

    /// [`ResolvedPack::from_bundle_json`], the digest kept with the pack.
    pub fn digested_from_bundle_json(text: &str) -> Result<DigestedPack, LoadError> {
        Bundle::from_json(text)?.into_digested()
    }

    /// `id@version`, the name overlays use in `extends`.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.manifest.id, self.manifest.version)
    }
}

/// Reads `extends` from a pack's manifest so a caller can find and resolve the base first.
pub fn extends_of(files: &PackFiles) -> Result<Option<String>, LoadError> {
    let manifest: Manifest = source::parse_toml("pack.toml", files.require("pack.toml")?)?;
    Ok(manifest.extends)
}

/// Resolves a pack from its files. An overlay (`extends` set) needs its resolved base.
pub fn resolve(files: &PackFiles, base: Option<&ResolvedPack>) -> Result<ResolvedPack, LoadError> {
    let manifest_text = files.require("pack.toml")?;
    let manifest: Manifest = source::parse_toml("pack.toml", manifest_text)?;
    check_manifest(&manifest)?;

    let own = read_own_parts(files, manifest.extends.is_some())?;
    let pack = match (&manifest.extends, base) {
        (None, _) => ResolvedPack {
            manifest,
            fields: own.fields,
            tables: own.tables,
            rules: own.rules,
            locations: own.locations,
        },
        (Some(wanted), Some(base)) => {
            if *wanted != base.reference() {
                return Err(manifest_error(format!(
                    "extends `{wanted}` but the base pack given is `{}`",
                    base.reference()
                )));
            }
            apply_overlay(base, manifest, own)?
        }
        (Some(wanted), None) => {
            return Err(manifest_error(format!(
                "extends `{wanted}`, which was not found"
            )))
        }
    };
    check_unique_ids(&pack)?;
    Ok(pack)
}

fn manifest_error(message: String) -> LoadError {
    LoadError::Manifest {
        loc: Loc::new("pack.toml", None),
        message,
    }
}

fn check_manifest(m: &Manifest) -> Result<(), LoadError> {
    let id_ok = m.id.split('.').count() >= 2
        && m.id.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if !id_ok {
        return Err(manifest_error(format!(
            "id `{}` is not of the form <jurisdiction>.<pack> (lower case, digits, '-')",
            m.id
        )));
    }
    let parts: Vec<&str> = m.version.split('.').collect();
    let semver_ok = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if !semver_ok {
        return Err(manifest_error(format!(
            "version `{}` is not MAJOR.MINOR.PATCH",
            m.version
        )));
    }
    let mut seen = SortedSet::default();
    for s in &m.sources {
        if !seen.insert(s.id.as_str()) {
            return Err(manifest_error(format!(
                "source `{}` is declared twice",
                s.id
            )));
        }
    }
    Ok(())
}

/// What a pack's own files declare, before any overlay is applied.
struct OwnParts {
    fields: Vec<FieldDecl>,
    tables: Vec<TableSource>,
    table_overrides: SortedSet<String>,
    rules: Vec<RuleDecl>,
    disable: Vec<String>,
    locations: Locations,
}

fn read_own_parts(files: &PackFiles, is_overlay: bool) -> Result<OwnParts, LoadError> {
    let mut locations = Locations::default();

    // An overlay may leave out fields.toml and rules.toml; a base pack needs both.
    let fields_text = match files.get("fields.toml") {
        Some(t) => Some(t),
        None if is_overlay => None,
        None => Some(files.require("fields.toml")?),
    };
    let mut fields = Vec::new();
    if let Some(text) = fields_text {
        let parsed: FieldsFile = source::parse_toml("fields.toml", text)?;
        let lines = source::Lines::new(text);
        let mut declared = Vec::new();
        for spanned in parsed.field {
            let line = lines.of(spanned.span().start);
            let field = spanned.into_inner();
            declared.push((field.path.clone(), Loc::new("fields.toml", Some(line))));
            fields.push(field);
        }
        locations.fields =
            SortedMap::from_distinct_entries(declared).map_err(|(path, loc)| LoadError::Field {
                loc,
                path,
                message: "declared twice".into(),
            })?;
    }

    let rules_text = match files.get("rules.toml") {
        Some(t) => Some(t),
        None if is_overlay => None,
        None => Some(files.require("rules.toml")?),
    };
    let mut rules = Vec::new();
    let mut tables = Vec::new();
    let mut table_overrides = SortedSet::default();
    let mut disable = Vec::new();
    if let Some(text) = rules_text {
        let parsed: RulesFile = source::parse_toml("rules.toml", text)?;
        disable = parsed.disable;
        let lines = source::Lines::new(text);
        for spanned in parsed.table {
            let line = lines.of(spanned.span().start);
            let decl = spanned.into_inner();
            let csv_text = files.get(&decl.file).ok_or_else(|| LoadError::Table {
                loc: Loc::new("rules.toml", Some(line)),
                table: decl.id.clone(),
                message: format!("file `{}` is missing from the pack", decl.file),
            })?;
            if decl.override_base {
                table_overrides.insert(decl.id.clone());
            }
            tables.push(source::parse_table_csv(&decl, csv_text)?);
        }
        let mut declared = Vec::new();
        for spanned in parsed.rule {
            let line = lines.of(spanned.span().start);
            let rule = spanned.into_inner();
            declared.push((rule.id.clone(), Loc::new("rules.toml", Some(line))));
            rules.push(rule);
        }
        locations.rules =
            SortedMap::from_distinct_entries(declared).map_err(|(rule, loc)| LoadError::Rule {
                loc,
                rule,
                message: "rule id is declared twice".into(),
            })?;
    }
    Ok(OwnParts {
        fields,
        tables,
        table_overrides,
        rules,
        disable,
        locations,
    })
}

/// Applies an overlay to its base: the overlay may add, replace (`override = true`) and disable
/// rules, replace tables, add or replace fields, sources and params. Anything else is an error,
/// so an overlay never changes more than it says.
fn apply_overlay(
    base: &ResolvedPack,
    manifest: Manifest,
    own: OwnParts,
) -> Result<ResolvedPack, LoadError> {
    let mut pack = base.clone();
    let base_id = base.manifest.id.clone();
    // Locations of inherited rules point into the base pack.
    for loc in pack.locations.rules.values_mut() {
        loc.file = format!("{base_id}:{}", loc.file);
    }
    for loc in pack.locations.fields.values_mut() {
        loc.file = format!("{base_id}:{}", loc.file);
    }

    let mut sources = pack.manifest.sources.clone();
    for s in manifest.sources.iter() {
        match sources.iter_mut().find(|b| b.id == s.id) {
            Some(existing) => *existing = s.clone(),
            None => sources.push(s.clone()),
        }
    }
    let mut params = pack.manifest.params.clone();
    params.extend(manifest.params.clone());
    pack.manifest = Manifest {
        sources,
        params,
        ..manifest
    };

    for field in own.fields {
        let loc = own.locations.field(&field.path);
        pack.locations.fields.insert(field.path.clone(), loc);
        match pack.fields.iter_mut().find(|f| f.path == field.path) {
            Some(existing) => *existing = field,
            None => pack.fields.push(field),
        }
    }

    for table in own.tables {
        let overrides = own.table_overrides.contains(&table.id);
        match (pack.tables.iter_mut().find(|t| t.id == table.id), overrides) {
            (Some(existing), true) => *existing = table,
            (None, false) => pack.tables.push(table),
            (Some(_), false) => {
                return Err(LoadError::Table {
                    loc: Loc::new(table.file.clone(), None),
                    table: table.id,
                    message: format!(
                        "already defined by `{base_id}`; set `override = true` to replace it"
                    ),
                })
            }
            (None, true) => {
                return Err(LoadError::Table {
                    loc: Loc::new(table.file.clone(), None),
                    table: table.id,
                    message: format!("`override = true` but `{base_id}` has no such table"),
                })
            }
        }
    }

    for id in &own.disable {
        let before = pack.rules.len();
        pack.rules.retain(|r| &r.id != id);
        if pack.rules.len() == before {
            return Err(LoadError::Rule {
                loc: Loc::new("rules.toml", None),
                rule: id.clone(),
                message: format!("cannot disable it: `{base_id}` has no such rule"),
            });
        }
        pack.locations.rules.remove(id);
    }

    for rule in own.rules {
        let loc = own.locations.rule(&rule.id);
        let existing = pack.rules.iter_mut().find(|r| r.id == rule.id);
        match (existing, rule.override_base) {
            (Some(existing), true) => *existing = rule.clone(),
            (None, false) => pack.rules.push(rule.clone()),
            (Some(_), false) => {
                return Err(LoadError::Rule {
                    loc,
                    rule: rule.id,
                    message: format!(
                        "already defined by `{base_id}`; set `override = true` to replace it"
                    ),
                })
            }
            (None, true) => {
                return Err(LoadError::Rule {
                    loc,
                    rule: rule.id,
                    message: format!("`override = true` but `{base_id}` has no such rule"),
                })
            }
        }
        pack.locations.rules.insert(rule.id, loc);
    }
    Ok(pack)
}

fn check_unique_ids(pack: &ResolvedPack) -> Result<(), LoadError> {
    let mut tables = SortedSet::default();
    for t in &pack.tables {
        if !tables.insert(t.id.as_str()) {
            return Err(LoadError::Table {
                loc: Loc::new(t.file.clone(), None),
                table: t.id.clone(),
                message: "table id is declared twice".into(),
            });
        }
    }
    Ok(())
}
