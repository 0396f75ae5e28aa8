//! `inventory merge` into a PostgreSQL database: placeholder replaced below.
use crate::{Error, Store};
use std::path::Path;

pub(crate) fn merge_into_postgres(_target: &mut Store, shard: &Path) -> Result<(), Error> {
    Err(Error::Query(format!(
        "{}: merging SQLite shards into PostgreSQL is not supported yet; shard workers \
         write into PostgreSQL directly (--run-key), with no merge step",
        shard.display()
    )))
}
