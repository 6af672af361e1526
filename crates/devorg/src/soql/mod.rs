//! The SOQL subset devorg understands: parsing and evaluation. (stub)
