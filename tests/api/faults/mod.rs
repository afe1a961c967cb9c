//! Faults the service must survive without losing or repeating a notice.

mod smtp_chaos;
