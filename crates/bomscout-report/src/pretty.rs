//! Pretty JSON written in pieces, byte for byte what `serde_json::to_writer_pretty` writes
//! for the whole document, so that the long arrays of an organization's SBOM (tens of
//! megabytes) can be rendered on every core while the rest is written as before.
//!
//! Each piece is written by serde_json's own pretty printer, started at the depth the
//! piece has in the document ([`pretty_at`]).

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

/// One level of serde_json's pretty indentation.
const INDENT: &[u8] = b"  ";

/// Items of an array rendered at once, per thread: enough to keep every core busy
/// between two writes, few enough that a batch stays small next to the document.
const ITEMS_PER_THREAD: usize = 16;

/// The weight (see [`Array`]) after which a batch is cut short: a few megabytes of
/// output, whatever the number of items.
const BATCH_WEIGHT: usize = 1 << 15;

/// A rendered item's buffer larger than this is dropped after its batch, not kept for
/// the next one (an item can be megabytes).
const KEEP_CAPACITY: usize = 1 << 20;

/// The weight from which an array is worth rendering on every core: below it (a
/// repository's few hundred components) one thread is as fast.
const PARALLEL_WEIGHT: usize = 1 << 12;

/// Whether `array` weighs enough to be rendered in parallel.
pub(crate) fn is_heavy<A: Array>(array: &A) -> bool {
    let mut weight = 0;
    (0..array.len()).any(|i| {
        weight += array.weight(i);
        weight >= PARALLEL_WEIGHT
    })
}

/// The members of a JSON object at depth 0, one at a time.
pub(crate) struct Object<'w> {
    out: &'w mut dyn Write,
    empty: bool,
}

impl<'w> Object<'w> {
    /// Opens the object.
    pub(crate) fn new(out: &'w mut dyn Write) -> io::Result<Object<'w>> {
        out.write_all(b"{")?;
        Ok(Object { out, empty: true })
    }

    /// Writes `"key": value`.
    pub(crate) fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> io::Result<()> {
        self.key(key)?;
        write_at(&mut *self.out, 1, value)
    }

    /// Writes `"key": ` and then the array `array`, its items rendered in parallel.
    pub(crate) fn array<A: Array>(&mut self, key: &str, array: &A) -> io::Result<()> {
        self.key(key)?;
        write_array(&mut *self.out, array)
    }

    /// Closes the object.
    pub(crate) fn end(self) -> io::Result<()> {
        self.out.write_all(if self.empty { b"}" } else { b"\n}" })
    }

    fn key(&mut self, key: &str) -> io::Result<()> {
        self.out
            .write_all(if self.empty { b"\n  " } else { b",\n  " })?;
        self.empty = false;
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.write_all(b": ")
    }
}

/// An array whose items are made on demand, by index, from any thread.
pub(crate) trait Array: Sync {
    /// What an item is made as.
    type Item<'i>: Serialize
    where
        Self: 'i;

    /// The number of items.
    fn len(&self) -> usize;

    /// Item `i`.
    fn item(&self, i: usize) -> Self::Item<'_>;

    /// About how large item `i` is when rendered, in units of a small object (1 for an
    /// item of a fixed size): batches are cut by it.
    fn weight(&self, i: usize) -> usize;
}

/// A component's [`Array::weight`] in either document: one, plus one per occurrence (each
/// location is written as one small object).
pub(crate) fn component_weight(c: &bomscout_core::Component) -> usize {
    1 + c.locations.len()
}

/// Writes `array` as the value of a member of an object at depth 0 (its items at depth 2),
/// in batches of items rendered in parallel, each into its own buffer, written in order.
fn write_array<A: Array>(out: &mut dyn Write, array: &A) -> io::Result<()> {
    let len = array.len();
    if len == 0 {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let most = ITEMS_PER_THREAD * rayon::current_num_threads();
    let mut slots: Vec<Vec<u8>> = Vec::new();
    let mut start = 0;
    while start < len {
        let end = batch_end(array, start, most);
        let batch = end - start;
        if slots.len() < batch {
            slots.resize_with(batch, Vec::new);
        }
        slots[..batch]
            .par_iter_mut()
            .enumerate()
            .try_for_each(|(k, slot)| render(slot, array, start + k))?;
        for slot in &mut slots[..batch] {
            out.write_all(slot)?;
            slot.clear();
            if slot.capacity() > KEEP_CAPACITY {
                *slot = Vec::new();
            }
        }
        start = end;
    }
    out.write_all(b"\n  ]")
}

/// The end of the batch that starts at `start`: at most `most` items, and cut after the
/// item that brings its weight to [`BATCH_WEIGHT`].
fn batch_end<A: Array>(array: &A, start: usize, most: usize) -> usize {
    let mut weight = 0;
    let mut end = start;
    while end < array.len() && end - start < most && weight < BATCH_WEIGHT {
        weight += array.weight(end);
        end += 1;
    }
    end
}

/// Renders item `i` into `slot` as serde_json would write it in the array: the separator,
/// the newline and indentation before it, and the item at depth 2.
fn render<A: Array>(slot: &mut Vec<u8>, array: &A, i: usize) -> io::Result<()> {
    slot.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
    slot.extend_from_slice(INDENT);
    slot.extend_from_slice(INDENT);
    write_at(slot, 2, &array.item(i))
}

/// Writes `value` pretty as serde_json writes it at `depth` in a document.
fn write_at<W: Write + ?Sized, T: Serialize + ?Sized>(
    out: &mut W,
    depth: usize,
    value: &T,
) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, pretty_at(depth)?);
    Ok(value.serialize(&mut serializer)?)
}

/// serde_json's pretty printer as it stands inside `depth` open arrays: it counts its depth
/// as it opens them, so opening them into a sink is how it is started there.
fn pretty_at(depth: usize) -> io::Result<PrettyFormatter<'static>> {
    let mut formatter = PrettyFormatter::with_indent(INDENT);
    for _ in 0..depth {
        formatter.begin_array(&mut io::sink())?;
    }
    Ok(formatter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Items with a string holding a newline, nested arrays and objects, empty ones.
    struct Values(Vec<serde_json::Value>);

    impl Array for Values {
        type Item<'i> = &'i serde_json::Value;

        fn len(&self) -> usize {
            self.0.len()
        }

        fn item(&self, i: usize) -> &serde_json::Value {
            &self.0[i]
        }

        fn weight(&self, i: usize) -> usize {
            1 + self.0[i]
                .get("list")
                .and_then(|l| l.as_array())
                .map_or(0, Vec::len)
        }
    }

    fn values(n: usize) -> Values {
        Values(
            (0..n)
                .map(|i| {
                    json!({
                        "name": format!("item\n{i}\t\"quoted\""),
                        "empty": {},
                        "none": [],
                        "list": (0..(i * 7919) % 300).map(|k| json!({"k": k})).collect::<Vec<_>>(),
                    })
                })
                .collect(),
        )
    }

    /// The document as serde_json writes it whole, and as [`Object`] writes it.
    fn both(n: usize) -> (Vec<u8>, Vec<u8>) {
        let items = values(n);
        let head = json!({"a": 1, "nested": {"b": [1, 2], "c": "x\ny"}});
        let whole = json!({"head": head, "items": items.0, "tail": []});
        let expected = serde_json::to_vec_pretty(&whole).expect("serializes");
        let mut got = Vec::new();
        let mut doc = Object::new(&mut got).expect("writes");
        doc.field("head", &head).expect("writes");
        doc.array("items", &items).expect("writes");
        doc.field("tail", &Vec::<u8>::new()).expect("writes");
        doc.end().expect("writes");
        (expected, got)
    }

    #[test]
    fn pieces_are_the_bytes_of_the_whole_document() {
        // Sizes around the edges: empty, one item, one batch, many batches of both kinds.
        for n in [0, 1, 2, 17, 300, 2000] {
            let (expected, got) = both(n);
            assert!(expected == got, "{n} items differ");
        }
    }

    #[test]
    fn an_empty_object_is_closed_on_its_line() {
        let mut got = Vec::new();
        Object::new(&mut got)
            .expect("writes")
            .end()
            .expect("writes");
        assert_eq!(
            got,
            serde_json::to_vec_pretty(&json!({})).expect("serializes")
        );
    }

    #[test]
    fn batches_are_cut_by_count_and_by_weight() {
        let items = values(2000);
        let end = batch_end(&items, 0, 5);
        assert_eq!(end, 5);
        // Without a count limit, the batch ends at the first item past the weight.
        let end = batch_end(&items, 1, usize::MAX);
        let weight: usize = (1..end).map(|i| items.weight(i)).sum();
        assert!(weight >= BATCH_WEIGHT, "{end}");
        assert!(weight - items.weight(end - 1) < BATCH_WEIGHT, "{end}");
        assert_eq!(batch_end(&items, 2000, 5), 2000);
    }
}
