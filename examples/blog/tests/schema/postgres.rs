// @generated automatically by Diesel CLI.

diesel::table! {
    authors (id) {
        id -> Int4,
        #[max_length = 100]
        name -> Varchar,
    }
}

diesel::table! {
    posts (id) {
        id -> Int4,
        author_id -> Int4,
        #[max_length = 200]
        title -> Varchar,
        body -> Text,
        published -> Bool,
        views -> Int4,
        title_length -> Int4,
    }
}

diesel::joinable!(posts -> authors (author_id));

diesel::allow_tables_to_appear_in_same_query!(authors, posts,);
