//! dondoc: the concluding directives of meetings tracked as tasks, each with an
//! owning unit and a deadline, until they are done.
//!
//! - [`domain`]: the rules, free of I/O (statuses, periods, reports, the conclusion parser).
//! - [`storage`]: every query, on SQLite or PostgreSQL.
//! - [`web`]: pages and the JSON API; handlers parse, call storage, render.
//! - [`config`], [`cli`], [`import`], [`demo`], [`auth`], [`i18n`], [`metrics`].

pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod import;
pub mod mail;
pub mod metrics;
pub mod private_files;
pub mod storage;
pub mod web;
