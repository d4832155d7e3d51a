// @generated automatically by Diesel CLI.

diesel::table! {
    authors (id) {
        id -> Integer,
        #[max_length = 100]
        name -> Varchar,
    }
}

diesel::table! {
    posts (id) {
        id -> Integer,
        author_id -> Integer,
        #[max_length = 200]
        title -> Varchar,
        body -> Text,
        published -> Bool,
        views -> Integer,
        title_length -> Integer,
    }
}

diesel::joinable!(posts -> authors (author_id));

diesel::allow_tables_to_appear_in_same_query!(authors, posts,);
