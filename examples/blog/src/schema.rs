// @generated automatically by Diesel CLI.

diesel::table! {
    authors (id) {
        id -> Integer,
        name -> Text,
    }
}

diesel::table! {
    posts (id) {
        id -> Integer,
        author_id -> Integer,
        title -> Text,
        body -> Text,
        published -> Bool,
        views -> Integer,
        title_length -> Integer,
    }
}

diesel::joinable!(posts -> authors (author_id));

diesel::allow_tables_to_appear_in_same_query!(authors, posts,);
