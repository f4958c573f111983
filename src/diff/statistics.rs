//! Extended statistics and text search configurations: small objects compared whole, rebuilt
//! when their definition changes, altered in place for what `ALTER` can change.

use super::{Change, Cx};
use crate::model::{ObjectRef, Statistics};

/// Everything `CREATE STATISTICS` states.
fn same_definition(a: &Statistics, b: &Statistics) -> bool {
    a.table == b.table && a.kinds == b.kinds && a.columns == b.columns && a.exprs == b.exprs
}

impl Cx<'_> {
    pub(super) fn statistics(&mut self) {
        for (name, s) in &self.from.statistics {
            let changed = self.to.statistics.get(name).is_none_or(|n| !same_definition(s, n));
            // A dropped table takes its statistics with it.
            if changed && self.to.tables.contains_key(&s.table) {
                self.push(Change::DropStatistics(s.clone()));
            }
        }
        for (name, s) in &self.to.statistics {
            let obj = ObjectRef::Statistics(name.clone());
            let old = self.from.statistics.get(name).filter(|o| same_definition(o, s));
            match old {
                None => self.create_statistics(s),
                Some(o) => {
                    if o.target != s.target {
                        self.push(Change::SetStatisticsTarget { name: name.clone(), target: s.target });
                    }
                    self.owner(obj.clone(), &o.owner, &s.owner);
                    self.comment(obj, &o.comment, &s.comment);
                }
            }
        }
    }

    pub(super) fn create_statistics(&mut self, s: &Statistics) {
        let obj = ObjectRef::Statistics(s.name.clone());
        let mut created = s.clone();
        created.comment = None;
        created.target = None;
        self.push(Change::CreateStatistics(created));
        if s.target.is_some() {
            self.push(Change::SetStatisticsTarget { name: s.name.clone(), target: s.target });
        }
        self.new_owner(obj.clone(), &s.owner);
        self.comment(obj, &None, &s.comment);
    }

    /// A dictionary's template cannot change: drop and create; its options change in place.
    pub(super) fn text_search_dictionaries(&mut self) {
        for (name, d) in &self.from.text_search_dictionaries {
            if self.to.text_search_dictionaries.get(name).is_none_or(|n| n.template != d.template) {
                self.push(Change::DropTextSearchDictionary(d.clone()));
            }
        }
        for (name, d) in &self.to.text_search_dictionaries {
            let obj = ObjectRef::TextSearchDictionary(name.clone());
            let old = self.from.text_search_dictionaries.get(name).filter(|o| o.template == d.template);
            match old {
                None => self.push(Change::CreateTextSearchDictionary(crate::model::TextSearchDictionary {
                    comment: None,
                    ..d.clone()
                })),
                Some(o) if o.options != d.options => self.push(Change::AlterTextSearchDictionary {
                    name: name.clone(),
                    from: o.options.clone(),
                    to: d.options.clone(),
                }),
                Some(_) => {}
            }
            self.owner(obj.clone(), &old.and_then(|o| o.owner.clone()), &d.owner);
            self.comment(obj, &old.and_then(|o| o.comment.clone()), &d.comment);
        }
    }

    pub(super) fn text_search_configs(&mut self) {
        for (name, c) in &self.from.text_search_configs {
            if self.to.text_search_configs.get(name).is_none_or(|n| n.parser != c.parser) {
                self.push(Change::DropTextSearchConfig(c.clone()));
            }
        }
        for (name, c) in &self.to.text_search_configs {
            let obj = ObjectRef::TextSearchConfig(name.clone());
            let old = self.from.text_search_configs.get(name).filter(|o| o.parser == c.parser);
            match old {
                // Created with its mappings, before anything computes with it.
                None => {
                    let mut created = c.clone();
                    created.comment = None;
                    self.push(Change::CreateTextSearchConfig(created));
                }
                Some(o) if o.mappings != c.mappings => self.push(Change::AlterTextSearchMappings {
                    name: name.clone(),
                    from: o.mappings.clone(),
                    to: c.mappings.clone(),
                }),
                Some(_) => {}
            }
            self.owner(obj.clone(), &old.and_then(|o| o.owner.clone()), &c.owner);
            self.comment(obj, &old.and_then(|o| o.comment.clone()), &c.comment);
        }
    }
}
