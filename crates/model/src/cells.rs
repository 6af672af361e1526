//! Text written into a spreadsheet cell (a results file, an export).

/// A cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'`, as OWASP's CSV injection advice says (an account named
/// `=HYPERLINK(…)` would otherwise be a live formula when the file is opened).
pub fn inert(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}
