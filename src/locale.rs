//! How this browser's language writes numbers and dates, for files a person made or will open.

use orgbridge_sheet::values::DateOrder;

fn language() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "en".into())
}

/// Whether one and a half is written `1,5` (Excel then separates cells with `;`).
pub fn writes_decimal_comma() -> bool {
    let shown: String = js_sys::Number::from(1.5)
        .to_locale_string(&language())
        .into();
    shown.contains(',')
}

/// The order a date is written in (31 December 2024 shown as `31/12/2024`, `12/31/2024` or
/// `2024-12-31`).
pub fn date_order() -> DateOrder {
    let date = js_sys::Date::new_with_year_month_day(2024, 11, 31);
    let shown: String = date
        .to_locale_date_string(&language(), &wasm_bindgen::JsValue::UNDEFINED)
        .into();
    if shown.starts_with("31") {
        DateOrder::DayMonthYear
    } else if shown.starts_with("2024") {
        DateOrder::YearMonthDay
    } else {
        DateOrder::MonthDayYear
    }
}
