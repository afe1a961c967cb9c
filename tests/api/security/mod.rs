//! Attacks and bad input: who may call what, forms and headers, logs free of personal data.

mod authz_matrix;
mod logs;
mod web;
