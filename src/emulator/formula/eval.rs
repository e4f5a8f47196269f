//! Evaluates a parsed formula against a row, with JavaScript's loose semantics.
//!
//! Owns the value rules (truthiness, `+` concatenation, loose equality) and the helper functions.
//! Knows rows only through [`FieldValues`]; never touches the store.

use serde_json::{Number, Value};
use thiserror::Error;

use super::parser::Expr;

/// How a formula sees the other cells of its row. `Value::Null` stands for `undefined` as well.
pub trait FieldValues {
    fn field_value(&self, field_id: &str) -> Value;
}

#[derive(Debug, Error, PartialEq)]
pub enum EvalError {
    #[error("Cannot read properties of null (reading '{0}')")]
    NullProperty(String),
    #[error("{0} is not defined")]
    UnknownIdentifier(String),
    #[error("{0} is not a function")]
    NotAFunction(String),
    #[error("formula nesting is too deep")]
    TooDeep,
}

const MAXIMUM_DEPTH: usize = 64;

pub fn evaluate(expression: &Expr, fields: &dyn FieldValues) -> Result<Value, EvalError> {
    Evaluator {
        fields,
        locals: Vec::new(),
        depth: 0,
    }
    .eval(expression)
}

pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Value::String(text) => !text.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// JavaScript's `String(x)`.
pub fn to_js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => format_number(number.as_f64().unwrap_or(f64::NAN)),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                if item.is_null() {
                    String::new()
                } else {
                    to_js_string(item)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_string(),
    }
}

fn format_number(number: f64) -> String {
    if number.is_nan() {
        "NaN".to_string()
    } else if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{number:.0}")
    } else {
        number.to_string()
    }
}

pub fn to_number(value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::Bool(flag) => f64::from(u8::from(*flag)),
        Value::Number(number) => number.as_f64().unwrap_or(f64::NAN),
        Value::String(text) => {
            let trimmed = text.trim();
            if trimmed.is_empty() {
                0.0
            } else {
                trimmed.parse().unwrap_or(f64::NAN)
            }
        }
        Value::Array(_) | Value::Object(_) => f64::NAN,
    }
}

pub fn number_value(number: f64) -> Value {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        // Integral results read back as integers, like JSON written by JavaScript.
        #[allow(clippy::cast_possible_truncation)]
        return Value::Number(Number::from(number as i64));
    }
    Number::from_f64(number).map_or(Value::Null, Value::Number)
}

fn loose_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            left == right
        }
        _ => to_number(left) == to_number(right),
    }
}

fn strict_equal(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => left == right,
    }
}

struct Evaluator<'a> {
    fields: &'a dyn FieldValues,
    locals: Vec<(String, Value)>,
    depth: usize,
}

impl Evaluator<'_> {
    fn eval(&mut self, expression: &Expr) -> Result<Value, EvalError> {
        self.depth += 1;
        if self.depth > MAXIMUM_DEPTH {
            return Err(EvalError::TooDeep);
        }
        let result = self.eval_inner(expression);
        self.depth -= 1;
        result
    }

    fn eval_inner(&mut self, expression: &Expr) -> Result<Value, EvalError> {
        match expression {
            Expr::Number(number) => Ok(number_value(*number)),
            Expr::Str(text) => Ok(Value::String(text.clone())),
            Expr::FieldRef(field_id) => Ok(self.fields.field_value(field_id)),
            Expr::Identifier(name) => self.identifier(name),
            Expr::Array(items) => Ok(Value::Array(
                items
                    .iter()
                    .map(|item| self.eval(item))
                    .collect::<Result<_, _>>()?,
            )),
            Expr::Unary(operator, operand) => {
                let value = self.eval(operand)?;
                Ok(match *operator {
                    "!" => Value::Bool(!truthy(&value)),
                    "-" => number_value(-to_number(&value)),
                    "typeof" => Value::String(
                        match value {
                            Value::Null => "undefined",
                            Value::Bool(_) => "boolean",
                            Value::Number(_) => "number",
                            Value::String(_) => "string",
                            Value::Array(_) | Value::Object(_) => "object",
                        }
                        .to_string(),
                    ),
                    _ => number_value(to_number(&value)),
                })
            }
            Expr::Binary(operator, left, right) => self.binary(operator, left, right),
            Expr::Conditional(condition, when_true, when_false) => {
                if truthy(&self.eval(condition)?) {
                    self.eval(when_true)
                } else {
                    self.eval(when_false)
                }
            }
            Expr::Member {
                object,
                property,
                optional,
            } => {
                let target = self.eval(object)?;
                member(&target, property, *optional)
            }
            Expr::Index {
                object,
                index,
                optional,
            } => {
                let target = self.eval(object)?;
                let key = self.eval(index)?;
                match (&target, &key) {
                    (Value::Null, _) if *optional => Ok(Value::Null),
                    (Value::Null, _) => Err(EvalError::NullProperty(to_js_string(&key))),
                    (Value::Array(items), Value::Number(number)) => Ok(number
                        .as_u64()
                        .and_then(|i| items.get(usize::try_from(i).ok()?).cloned())
                        .unwrap_or(Value::Null)),
                    _ => member(&target, &to_js_string(&key), *optional),
                }
            }
            Expr::Call { callee, arguments } => self.call(callee, arguments),
            Expr::Arrow { .. } => Err(EvalError::NotAFunction("arrow function value".into())),
        }
    }

    fn identifier(&self, name: &str) -> Result<Value, EvalError> {
        if let Some((_, value)) = self.locals.iter().rev().find(|(local, _)| local == name) {
            return Ok(value.clone());
        }
        match name {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "null" | "undefined" => Ok(Value::Null),
            "NaN" => Ok(Value::Null),
            _ => Err(EvalError::UnknownIdentifier(name.to_string())),
        }
    }

    fn binary(&mut self, operator: &str, left: &Expr, right: &Expr) -> Result<Value, EvalError> {
        // Short-circuit operators return an operand, as in JavaScript.
        match operator {
            "&&" => {
                let value = self.eval(left)?;
                return if truthy(&value) {
                    self.eval(right)
                } else {
                    Ok(value)
                };
            }
            "||" => {
                let value = self.eval(left)?;
                return if truthy(&value) {
                    Ok(value)
                } else {
                    self.eval(right)
                };
            }
            "??" => {
                let value = self.eval(left)?;
                return if value.is_null() {
                    self.eval(right)
                } else {
                    Ok(value)
                };
            }
            _ => {}
        }
        let left = self.eval(left)?;
        let right = self.eval(right)?;
        Ok(match operator {
            "+" => {
                let stringy = |value: &Value| {
                    matches!(value, Value::String(_) | Value::Array(_) | Value::Object(_))
                };
                if stringy(&left) || stringy(&right) {
                    Value::String(to_js_string(&left) + &to_js_string(&right))
                } else {
                    number_value(to_number(&left) + to_number(&right))
                }
            }
            "-" => number_value(to_number(&left) - to_number(&right)),
            "*" => number_value(to_number(&left) * to_number(&right)),
            "/" => number_value(to_number(&left) / to_number(&right)),
            "%" => number_value(to_number(&left) % to_number(&right)),
            "==" => Value::Bool(loose_equal(&left, &right)),
            "!=" => Value::Bool(!loose_equal(&left, &right)),
            "===" => Value::Bool(strict_equal(&left, &right)),
            "!==" => Value::Bool(!strict_equal(&left, &right)),
            "<" | "<=" | ">" | ">=" => Value::Bool(compare(operator, &left, &right)),
            _ => Value::Null,
        })
    }

    fn call(&mut self, callee: &Expr, arguments: &[Expr]) -> Result<Value, EvalError> {
        if let Expr::Arrow { parameters, body } = callee {
            let values: Vec<Value> = arguments
                .iter()
                .map(|argument| self.eval(argument))
                .collect::<Result<_, _>>()?;
            let saved = self.locals.len();
            for (index, parameter) in parameters.iter().enumerate() {
                self.locals.push((
                    parameter.clone(),
                    values.get(index).cloned().unwrap_or(Value::Null),
                ));
            }
            let result = self.eval(body);
            self.locals.truncate(saved);
            return result;
        }
        let values: Vec<Value> = arguments
            .iter()
            .map(|argument| self.eval(argument))
            .collect::<Result<_, _>>()?;
        match callee {
            Expr::Identifier(name) => call_function(name, &values),
            Expr::Member {
                object,
                property,
                optional,
            } => {
                if let Expr::Identifier(namespace) = object.as_ref()
                    && matches!(namespace.as_str(), "Math" | "JSON" | "Clay")
                {
                    return call_function(&format!("{namespace}.{property}"), &values);
                }
                let target = self.eval(object)?;
                if target.is_null() && *optional {
                    return Ok(Value::Null);
                }
                call_method(&target, property, &values)
            }
            _ => Err(EvalError::NotAFunction("expression".into())),
        }
    }
}

fn compare(operator: &str, left: &Value, right: &Value) -> bool {
    if let (Value::String(a), Value::String(b)) = (left, right) {
        return match operator {
            "<" => a < b,
            "<=" => a <= b,
            ">" => a > b,
            _ => a >= b,
        };
    }
    let (a, b) = (to_number(left), to_number(right));
    match operator {
        "<" => a < b,
        "<=" => a <= b,
        ">" => a > b,
        _ => a >= b,
    }
}

fn member(target: &Value, property: &str, optional: bool) -> Result<Value, EvalError> {
    match target {
        Value::Null if optional => Ok(Value::Null),
        Value::Null => Err(EvalError::NullProperty(property.to_string())),
        Value::Object(map) => Ok(map.get(property).cloned().unwrap_or(Value::Null)),
        Value::String(text) if property == "length" => Ok(number_value(f64::from(
            u32::try_from(text.chars().count()).unwrap_or(u32::MAX),
        ))),
        Value::Array(items) if property == "length" => Ok(number_value(f64::from(
            u32::try_from(items.len()).unwrap_or(u32::MAX),
        ))),
        Value::Array(items) => Ok(property
            .parse::<usize>()
            .ok()
            .and_then(|index| items.get(index).cloned())
            .unwrap_or(Value::Null)),
        _ => Ok(Value::Null),
    }
}

fn first_string(values: &[Value]) -> String {
    values
        .first()
        .map(to_js_string_or_empty)
        .unwrap_or_default()
}

fn to_js_string_or_empty(value: &Value) -> String {
    if value.is_null() {
        String::new()
    } else {
        to_js_string(value)
    }
}

/// The host part of a URL or e-mail address, without `www.`.
pub fn domain_of(text: &str) -> String {
    let text = text.trim();
    let text = text.rsplit_once('@').map_or(text, |(_, host)| host);
    let without_scheme = text.split_once("://").map_or(text, |(_, rest)| rest);
    let host = without_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    host.strip_prefix("www.").unwrap_or(host).to_lowercase()
}

fn call_function(name: &str, values: &[Value]) -> Result<Value, EvalError> {
    let first = values.first().cloned().unwrap_or(Value::Null);
    Ok(match name {
        "UPPER" => Value::String(first_string(values).to_uppercase()),
        "LOWER" => Value::String(first_string(values).to_lowercase()),
        "LEN" => match &first {
            Value::Array(items) => number_value(items.len() as f64),
            _ => number_value(first_string(values).chars().count() as f64),
        },
        "DOMAIN" => {
            if first.is_null() {
                Value::Null
            } else {
                Value::String(domain_of(&to_js_string(&first)))
            }
        }
        "String" => Value::String(to_js_string(&first)),
        "Number" => number_value(to_number(&first)),
        "Boolean" => Value::Bool(truthy(&first)),
        "parseInt" => {
            let text = to_js_string(&first);
            let trimmed = text.trim();
            let digits: String = trimmed
                .char_indices()
                .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+')))
                .map(|(_, c)| c)
                .collect();
            digits
                .parse::<i64>()
                .map_or(Value::Null, |n| Value::Number(Number::from(n)))
        }
        "parseFloat" => {
            let number = to_number(&first);
            if number.is_nan() {
                Value::Null
            } else {
                number_value(number)
            }
        }
        "Math.round" => number_value(to_number(&first).round()),
        "Math.floor" => number_value(to_number(&first).floor()),
        "Math.ceil" => number_value(to_number(&first).ceil()),
        "Math.abs" => number_value(to_number(&first).abs()),
        "Math.max" => number_value(
            values
                .iter()
                .map(to_number)
                .fold(f64::NEG_INFINITY, f64::max),
        ),
        "Math.min" => number_value(values.iter().map(to_number).fold(f64::INFINITY, f64::min)),
        "JSON.stringify" => Value::String(first.to_string()),
        "JSON.parse" => serde_json::from_str(&to_js_string(&first)).unwrap_or(Value::Null),
        "Clay.formatForJSON" => {
            // A JSON string body without its outer quotes, so it can sit inside "..." in a body.
            let encoded = Value::String(to_js_string_or_empty(&first)).to_string();
            Value::String(encoded[1..encoded.len() - 1].to_string())
        }
        "Clay.formatForAIPrompt" => match &first {
            Value::Object(_) | Value::Array(_) => Value::String(first.to_string()),
            other => Value::String(to_js_string_or_empty(other)),
        },
        _ => return Err(EvalError::NotAFunction(name.to_string())),
    })
}

fn call_method(target: &Value, method: &str, values: &[Value]) -> Result<Value, EvalError> {
    let argument = first_string(values);
    if let Value::Array(items) = target {
        return Ok(match method {
            "includes" => Value::Bool(items.iter().any(|item| Some(item) == values.first())),
            "join" => Value::String(
                items
                    .iter()
                    .map(to_js_string_or_empty)
                    .collect::<Vec<_>>()
                    .join(if values.is_empty() { "," } else { &argument }),
            ),
            _ => return Err(EvalError::NotAFunction(method.to_string())),
        });
    }
    let text = match target {
        Value::String(text) => text.clone(),
        Value::Null => return Err(EvalError::NullProperty(method.to_string())),
        Value::Object(_) => return Err(EvalError::NotAFunction(method.to_string())),
        other => to_js_string(other),
    };
    Ok(match method {
        "toLowerCase" => Value::String(text.to_lowercase()),
        "toUpperCase" => Value::String(text.to_uppercase()),
        "trim" => Value::String(text.trim().to_string()),
        "toString" => Value::String(text),
        "includes" => Value::Bool(text.contains(&argument)),
        "startsWith" => Value::Bool(text.starts_with(&argument)),
        "endsWith" => Value::Bool(text.ends_with(&argument)),
        "indexOf" => number_value(text.find(&argument).map_or(-1.0, |i| i as f64)),
        "split" => Value::Array(
            text.split(argument.as_str())
                .map(|part| Value::String(part.to_string()))
                .collect(),
        ),
        "replace" => {
            let replacement = values.get(1).map(to_js_string_or_empty).unwrap_or_default();
            Value::String(text.replacen(&argument, &replacement, 1))
        }
        _ => return Err(EvalError::NotAFunction(method.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{lexer::tokenize, parser::parse};
    use super::*;

    struct Row(Value);

    impl FieldValues for Row {
        fn field_value(&self, field_id: &str) -> Value {
            self.0.get(field_id).cloned().unwrap_or(Value::Null)
        }
    }

    fn run(text: &str, row: Value) -> Result<Value, EvalError> {
        evaluate(&parse(&tokenize(text).unwrap()).unwrap(), &Row(row))
    }

    #[test]
    fn optional_chaining_on_objects_and_arrays() {
        let row = json!({"f_ai": {"score": 8, "tags": ["a", "b"]}});
        assert_eq!(run("{{f_ai}}?.score >= 7", row.clone()), Ok(json!(true)));
        assert_eq!(run("{{f_ai}}?.tags?.[0]", row), Ok(json!("a")));
        assert_eq!(run("{{f_missing}}?.score", json!({})), Ok(Value::Null));
    }

    #[test]
    fn member_of_null_without_optional_chaining_is_an_error() {
        assert!(run("{{f_missing}}.score", json!({})).is_err());
    }

    #[test]
    fn plus_concatenates_strings_and_adds_numbers() {
        assert_eq!(run("\"a\" + 1", json!({})), Ok(json!("a1")));
        assert_eq!(run("1 + 2 * 3", json!({})), Ok(json!(7)));
        assert_eq!(run("(1 + 2) * 3", json!({})), Ok(json!(9)));
    }

    #[test]
    fn helpers() {
        assert_eq!(
            run("DOMAIN(\"https://www.Stripe.com/x\")", json!({})),
            Ok(json!("stripe.com"))
        );
        assert_eq!(
            run("UPPER({{f_a}})", json!({"f_a": "acme"})),
            Ok(json!("ACME"))
        );
        assert_eq!(run("parseInt(\"42px\")", json!({})), Ok(json!(42)));
        assert_eq!(run("LEN(\"abc\")", json!({})), Ok(json!(3)));
        assert_eq!(
            run("!!{{f_a}} && {{f_b}} > 50", json!({"f_a": "x", "f_b": 60})),
            Ok(json!(true))
        );
        assert_eq!(
            run("{{f_a}} == \"5\" ? 'y' : 'n'", json!({"f_a": 5})),
            Ok(json!("y"))
        );
    }

    #[test]
    fn arrow_iife_binds_its_parameter() {
        assert_eq!(
            run(
                "(s => s ? s.trim() : \"\")({{f_x}})",
                json!({"f_x": "  hi "})
            ),
            Ok(json!("hi"))
        );
    }
}
