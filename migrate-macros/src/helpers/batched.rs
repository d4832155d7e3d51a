//! `backfill!` and `transform_rows!`: the batched helpers.

use super::Helper;
use super::call::{HelperCall, Inversion};
use super::portable::Portable;
use super::syntax::{HelperOption, Name, TableColumn, expect, parse_options};
use super::tokens::per_dialect;
use migrate_sql::{ColumnType, quote_ident};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Block, Ident, Token, Type};

const BATCH_OPTIONS: [(&str, &str); 4] = [
    (
        "key",
        "a unique NOT NULL key to walk the table by instead of its primary key: `id` or `(a, b)`",
    ),
    ("batch_rows", "a fixed number of rows per batch"),
    (
        "target_ms",
        "the duration each batch aims at, in milliseconds (default: the run's `--batch-time`)",
    ),
    (
        "pause_ms",
        "a rest after each batch, in milliseconds (default: the run's `--batch-pause`)",
    ),
];

/// Batch options shared by the batched helpers.
pub struct BatchOptions {
    /// The key named with `key = ...`; the table's primary key (found at run time) when `None`.
    pub key: Option<Vec<Name>>,
    pub batch_rows: Option<u64>,
    pub target_ms: Option<u64>,
    pub pause_ms: Option<u64>,
}

impl BatchOptions {
    fn new() -> Self {
        BatchOptions {
            key: None,
            batch_rows: None,
            target_ms: None,
            pause_ms: None,
        }
    }

    /// Takes the option if it is a batch option; returns it otherwise.
    fn take(&mut self, option: HelperOption) -> syn::Result<Option<HelperOption>> {
        match option.key.to_string().as_str() {
            "key" => {
                let names = option.names()?;
                if names.len() > migrate_sql::helpers::key::MAX_KEY_COLUMNS {
                    return Err(syn::Error::new(
                        option.key.span(),
                        format!(
                            "a key has at most {} columns",
                            migrate_sql::helpers::key::MAX_KEY_COLUMNS
                        ),
                    ));
                }
                self.key = Some(names);
            }
            "batch_rows" => self.batch_rows = Some(option.integer(1)?),
            "target_ms" => self.target_ms = Some(option.integer(1)?),
            "pause_ms" => self.pause_ms = Some(option.integer(0)?),
            _ => return Ok(Some(option)),
        }
        Ok(None)
    }

    /// `Some(&["a", "b"])` or `None`, for the runtime's `key` field.
    fn key_tokens(&self) -> TokenStream {
        match &self.key {
            Some(names) => {
                let names = names.iter().map(|n| &n.text);
                quote!(::core::option::Option::Some(&[#(#names),*]))
            }
            None => quote!(::core::option::Option::None),
        }
    }

    fn tokens(&self) -> TokenStream {
        let fixed = match self.batch_rows {
            Some(rows) => quote!(::core::option::Option::Some(#rows)),
            None => quote!(::core::option::Option::None),
        };
        let target = self
            .target_ms
            .map(|ms| quote!(target: ::core::option::Option::Some(::std::time::Duration::from_millis(#ms)),));
        let pause = self
            .pause_ms
            .map(|ms| quote!(pause: ::core::option::Option::Some(::std::time::Duration::from_millis(#ms)),));
        quote!(::migrate_core::__private::helpers::Batching {
            fixed_rows: #fixed,
            #target
            #pause
            ..::core::default::Default::default()
        })
    }
}

/// `backfill!(m, table.column = value [, filter = condition] [, batch options])`.
pub struct Backfill {
    pub target: TableColumn,
    pub value: Portable,
    pub filter: Option<Portable>,
    pub batch: BatchOptions,
}

impl Parse for Backfill {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let target: TableColumn = input.parse()?;
        expect::<Token![=]>(
            input,
            "expected `= <expression>`, as in `backfill!(m, orders.status = \"processed\")`",
        )?;
        let value = Portable::parse(&super::syntax::parse_expression(input)?)?;
        let mut allowed = BATCH_OPTIONS.to_vec();
        allowed.push(("filter", "a condition selecting the rows to set"));
        let mut batch = BatchOptions::new();
        let mut filter = None;
        for option in parse_options(input, &allowed)? {
            if let Some(option) = batch.take(option)? {
                filter = Some(Portable::parse(option.expr()?)?);
            }
        }
        Ok(Backfill {
            target,
            value,
            filter,
            batch,
        })
    }
}

impl HelperCall for Backfill {
    const BATCHED: bool = true;

    fn inverse(&self, cx: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        cx.write_to(&self.target.table.text, &self.target.column.text)
    }

    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        let column = &self.target.column.text;
        let sql = per_dialect(|dialect| {
            let assignments = format!(
                "{} = {}",
                quote_ident(dialect, column),
                self.value.sql(dialect)?
            );
            let condition = match &self.filter {
                Some(filter) => {
                    let sql = filter.sql(dialect)?;
                    quote!(::core::option::Option::Some(::std::string::String::from(#sql)))
                }
                None => quote!(::core::option::Option::None),
            };
            Ok(quote!((::std::string::String::from(#assignments), #condition)))
        });
        let table = &self.target.table.text;
        let key = self.batch.key_tokens();
        let batching = self.batch.tokens();
        quote! {
            ::migrate_core::__private::helpers::backfill::run(#handle, |__dialect| {
                let (assignments, condition) = #sql?;
                ::core::result::Result::Ok(::migrate_core::__private::helpers::backfill::Backfill {
                    table: #table,
                    key: #key,
                    column: #column,
                    assignments,
                    condition,
                    batching: #batching,
                })
            })
        }
    }
}

/// A Rust type a transform reads or writes, with its Diesel SQL type and column type.
struct RustType {
    ty: Type,
    sql_type: TokenStream,
    column: ColumnType,
    /// Whether it is an `Option` (reads NULL).
    optional: bool,
    /// Whether it is read as text and parsed (UUIDs, JSON, decimals: the same on every
    /// database), rather than through Diesel's own support.
    via_text: bool,
}

/// A type whose support is a feature of migrate-core: an error saying which one, or `Ok`.
fn requires(feature: &str, enabled: bool, ty: &Type) -> syn::Result<()> {
    if enabled {
        return Ok(());
    }
    Err(syn::Error::new_spanned(
        ty,
        format!(
            "reading or writing `{}` in a transform needs the `{feature}` feature of migrate-core: add it to `features = [...]` in Cargo.toml",
            crate::display::type_text(ty)
        ),
    ))
}

fn rust_type(ty: &Type) -> syn::Result<RustType> {
    let unsupported = || {
        let text = crate::display::type_text(ty);
        let hint = if matches!(text.as_str(), "u8" | "u16" | "u32" | "u64" | "usize") {
            " (SQL has no unsigned integers: use a signed type wide enough, such as i64)"
        } else {
            ""
        };
        syn::Error::new_spanned(
            ty,
            format!(
                "a transform cannot read or write `{text}`: its types are i16, i32, i64, f32, f64, bool, String, chrono's NaiveDateTime, NaiveDate and NaiveTime, uuid::Uuid, serde_json::Value, bigdecimal::BigDecimal (each behind the migrate-core feature of its crate's name), or an Option of one of them{hint}"
            ),
        )
    };
    let Type::Path(path) = ty else {
        return Err(unsupported());
    };
    let segment = path.path.segments.last().ok_or_else(unsupported)?;
    let st = quote!(::migrate_core::__private::diesel::sql_types);
    let mut optional = false;
    let mut via_text = false;
    let (sql_type, column) = match segment.ident.to_string().as_str() {
        "NaiveDateTime" => {
            requires("chrono", cfg!(feature = "chrono"), ty)?;
            (quote!(#st::Timestamp), ColumnType::Timestamp)
        }
        "NaiveDate" => {
            requires("chrono", cfg!(feature = "chrono"), ty)?;
            (quote!(#st::Date), ColumnType::Date)
        }
        "NaiveTime" => {
            requires("chrono", cfg!(feature = "chrono"), ty)?;
            (quote!(#st::Time), ColumnType::Time)
        }
        "Uuid" => {
            requires("uuid", cfg!(feature = "uuid"), ty)?;
            via_text = true;
            (quote!(#st::Text), ColumnType::Uuid)
        }
        "Value" | "JsonValue" => {
            requires("serde_json", cfg!(feature = "serde_json"), ty)?;
            via_text = true;
            (quote!(#st::Text), ColumnType::Json)
        }
        "BigDecimal" => {
            requires("bigdecimal", cfg!(feature = "bigdecimal"), ty)?;
            via_text = true;
            (quote!(#st::Text), ColumnType::Numeric)
        }
        "i16" => (quote!(#st::SmallInt), ColumnType::SmallInt),
        "i32" => (quote!(#st::Integer), ColumnType::Integer),
        "i64" => (quote!(#st::BigInt), ColumnType::BigInt),
        "f32" => (quote!(#st::Float), ColumnType::Real),
        "f64" => (quote!(#st::Double), ColumnType::Double),
        "bool" => (quote!(#st::Bool), ColumnType::Boolean),
        "String" => (quote!(#st::Text), ColumnType::Text),
        "Option" => {
            let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
                return Err(unsupported());
            };
            let Some(syn::GenericArgument::Type(inner)) = args.args.first() else {
                return Err(unsupported());
            };
            let inner = rust_type(inner)?;
            let inner_sql = inner.sql_type;
            optional = true;
            via_text = inner.via_text;
            (quote!(#st::Nullable<#inner_sql>), inner.column)
        }
        _ => return Err(unsupported()),
    };
    Ok(RustType {
        ty: ty.clone(),
        sql_type,
        column,
        optional,
        via_text,
    })
}

fn column_type_tokens(ty: ColumnType) -> TokenStream {
    let path = quote!(::migrate_core::ColumnType);
    match ty {
        ColumnType::SmallInt => quote!(#path::SmallInt),
        ColumnType::Integer => quote!(#path::Integer),
        ColumnType::BigInt => quote!(#path::BigInt),
        ColumnType::Double => quote!(#path::Double),
        ColumnType::Real => quote!(#path::Real),
        ColumnType::Boolean => quote!(#path::Boolean),
        ColumnType::Text => quote!(#path::Text),
        ColumnType::Decimal(p, s) => quote!(#path::Decimal(#p, #s)),
        ColumnType::Varchar(n) => quote!(#path::Varchar(#n)),
        ColumnType::Date => quote!(#path::Date),
        ColumnType::Time => quote!(#path::Time),
        ColumnType::TimestampTz => quote!(#path::TimestampTz),
        ColumnType::Json => quote!(#path::Json),
        ColumnType::Jsonb => quote!(#path::Jsonb),
        ColumnType::Uuid => quote!(#path::Uuid),
        ColumnType::Binary => quote!(#path::Binary),
        ColumnType::Numeric => quote!(#path::Numeric),
        ColumnType::Timestamp => quote!(#path::Timestamp),
    }
}

/// A `name: Type` of a transform's inputs or outputs.
struct Field {
    name: Ident,
    column: Name,
    ty: RustType,
}

impl Parse for Field {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        let column = Name::new(syn::ext::IdentExt::unraw(&name).to_string(), name.span());
        migrate_sql::validate_ident(&column.text).map_err(|e| {
            syn::Error::new(
                name.span(),
                format!("invalid SQL identifier `{}`: {e}", column.text),
            )
        })?;
        expect::<Token![:]>(input, format!("expected `{}: <type>`", column.text))?;
        let ty = rust_type(&input.parse()?)?;
        Ok(Field { name, column, ty })
    }
}

/// `transform_rows!(m, table, |col: Type, ...| -> out: Type { body } [, batch options])`.
pub struct Transform {
    pub table: Name,
    inputs: Vec<Field>,
    outputs: Vec<Field>,
    tuple_output: bool,
    body: Block,
    pub batch: BatchOptions,
}

impl Transform {
    /// The columns the transform writes.
    pub fn written_columns(&self) -> Vec<String> {
        self.outputs.iter().map(|f| f.column.text.clone()).collect()
    }
}

impl Parse for Transform {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let usage = "transform_rows!(m, users, |posts_count: i32, comments_count: i32| -> score: f64 { f64::from(posts_count * 10 + comments_count * 5) })";
        let table = super::syntax::parse_table(input, false)?;
        input.parse::<Token![,]>()?;
        expect::<Token![|]>(
            input,
            format!("expected a closure over the columns it reads, as in `{usage}`"),
        )?;
        let mut inputs = Vec::new();
        while !input.peek(Token![|]) {
            inputs.push(input.parse::<Field>()?);
            if !input.peek(Token![|]) {
                input.parse::<Token![,]>()?;
            }
        }
        input.parse::<Token![|]>()?;
        if inputs.is_empty() {
            return Err(syn::Error::new(
                table.span,
                "the closure reads no column: name the columns it uses as its arguments",
            ));
        }
        expect::<Token![->]>(
            input,
            format!("expected `-> column: Type` naming the column it writes, as in `{usage}`"),
        )?;
        let (outputs, tuple_output) = if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let fields = content.parse_terminated(Field::parse, Token![,])?;
            (fields.into_iter().collect::<Vec<_>>(), true)
        } else {
            (vec![input.parse::<Field>()?], false)
        };
        let body: Block = input.parse()?;
        let mut batch = BatchOptions::new();
        for option in parse_options(input, &BATCH_OPTIONS)? {
            batch.take(option)?;
        }
        Ok(Transform {
            table,
            inputs,
            outputs,
            tuple_output,
            body,
            batch,
        })
    }
}

impl HelperCall for Transform {
    const BATCHED: bool = true;

    fn inverse(&self, cx: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        for column in self.written_columns() {
            cx.write_to(&self.table.text, &column)?;
        }
        Ok(None)
    }

    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        let diesel = quote!(::migrate_core::__private::diesel);
        let row = format_ident!("__MigrateRow");
        let names: Vec<&Ident> = self.inputs.iter().map(|f| &f.name).collect();
        // Types read as text are held as `String` in the row, and parsed before the body runs.
        let types: Vec<Type> = self
            .inputs
            .iter()
            .map(|f| match (f.ty.via_text, f.ty.optional) {
                (false, _) => f.ty.ty.clone(),
                (true, false) => syn::parse_quote!(::std::string::String),
                (true, true) => syn::parse_quote!(::core::option::Option<::std::string::String>),
            })
            .collect();
        let parsed: Vec<TokenStream> = self
            .inputs
            .iter()
            .filter(|f| f.ty.via_text)
            .map(|f| {
                let (name, ty, column) = (&f.name, &f.ty.ty, &f.column.text);
                let parse = quote!(::migrate_core::__private::helpers::parse_text);
                if f.ty.optional {
                    quote!(let #name: #ty = match #name {
                        ::core::option::Option::Some(text) => ::core::option::Option::Some(#parse(#column, &text)?),
                        ::core::option::Option::None => ::core::option::Option::None,
                    };)
                } else {
                    quote!(let #name: #ty = #parse(#column, &#name)?;)
                }
            })
            .collect();
        let sql_types: Vec<&TokenStream> = self.inputs.iter().map(|f| &f.ty.sql_type).collect();
        let columns: Vec<&String> = self.inputs.iter().map(|f| &f.column.text).collect();
        let table = &self.table.text;
        let key = self.batch.key_tokens();
        let written: Vec<TokenStream> = self
            .outputs
            .iter()
            .map(|f| {
                let name = &f.column.text;
                let ty = column_type_tokens(f.ty.column);
                quote!((#name, #ty))
            })
            .collect();
        let output_types: Vec<&Type> = self.outputs.iter().map(|f| &f.ty.ty).collect();
        let output_names: Vec<Ident> = (0..self.outputs.len())
            .map(|i| format_ident!("__out{}", i))
            .collect();
        let body = &self.body;
        let computed = if self.tuple_output {
            quote!(let (#(#output_names,)*): (#(#output_types,)*) = #body;)
        } else {
            let (name, ty) = (&output_names[0], output_types[0]);
            quote!(let #name: #ty = #body;)
        };
        let batching = self.batch.tokens();
        let read_types: Vec<TokenStream> = self
            .inputs
            .iter()
            .map(|f| {
                let name = &f.column.text;
                let ty = column_type_tokens(f.ty.column);
                let optional = f.ty.optional;
                quote!((#name, #ty, #optional))
            })
            .collect();
        let key_columns: Vec<String> = (0..migrate_sql::helpers::key::MAX_KEY_COLUMNS)
            .map(|i| format!("__k{i}"))
            .collect();
        quote! {{
            #[allow(non_camel_case_types)]
            struct #row {
                __key: ::migrate_core::__private::helpers::transform::RowKey,
                #(#names: #types,)*
            }
            impl<__DB> #diesel::QueryableByName<__DB> for #row
            where
                __DB: #diesel::backend::Backend,
                ::core::option::Option<::std::string::String>: #diesel::deserialize::FromSql<#diesel::sql_types::Nullable<#diesel::sql_types::Text>, __DB>,
                #(#types: #diesel::deserialize::FromSql<#sql_types, __DB>,)*
            {
                fn build<'__r>(row: &impl #diesel::row::NamedRow<'__r, __DB>) -> #diesel::deserialize::Result<Self> {
                    // The key's columns, as text (`__k0` ...); the unused ones are NULL.
                    let __key = [#(
                        #diesel::row::NamedRow::get::<
                            #diesel::sql_types::Nullable<#diesel::sql_types::Text>,
                            ::core::option::Option<::std::string::String>,
                        >(row, #key_columns)?,
                    )*];
                    ::core::result::Result::Ok(#row {
                        __key,
                        #(#names: #diesel::row::NamedRow::get::<#sql_types, #types>(row, #columns)?,)*
                    })
                }
            }
            ::migrate_core::__private::helpers::transform::run(
                #handle,
                ::migrate_core::__private::helpers::transform::Transform {
                    table: #table,
                    key: #key,
                    read: &[#(#columns),*],
                    read_types: &[#(#read_types),*],
                    write: &[#(#written),*],
                    batching: #batching,
                },
                |__row: #row, __dialect| {
                    let #row { __key, #(#names,)* } = __row;
                    #(#parsed)*
                    #computed
                    ::core::result::Result::Ok((__key, ::std::vec![
                        #(::migrate_core::__private::helpers::SqlValue::to_sql_literal(&#output_names, __dialect)?,)*
                    ]))
                },
            )
        }}
    }
}
