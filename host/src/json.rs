//! Reading the project's JSON files with serde derive, with errors that name the field and
//! index where the problem is (`w_in[3][1]: invalid type: string "x", expected f64`).

use std::fmt;

use serde::de::DeserializeOwned;

/// A JSON file that does not parse into what it should be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Where: a path such as `episodes[2].steps[7].action` (`.` for the top level).
    pub path: String,
    /// What serde_json says, with the line and column.
    pub problem: String,
    /// Not JSON at all (a syntax error or an early end), rather than JSON of the wrong shape.
    pub syntax: bool,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path == "." { write!(f, "{}", self.problem) } else { write!(f, "{}: {}", self.path, self.problem) }
    }
}

impl std::error::Error for JsonError {}

/// Parses `text` into a `T`; the error names the path of the offending value.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Point { x: f64 }
/// let e = neuroloop_host::json::from_str::<Vec<Point>>(r#"[{"x": 1}, {"x": "a"}]"#).err().unwrap();
/// assert_eq!(e.path, "[1].x");
/// assert!(e.to_string().starts_with("[1].x: invalid type: string \"a\""));
/// ```
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| JsonError {
        path: e.path().to_string(),
        problem: e.inner().to_string(),
        syntax: !e.inner().is_data(),
    })?;
    de.end().map_err(|e| JsonError { path: ".".into(), problem: e.to_string(), syntax: true })?;
    Ok(value)
}
