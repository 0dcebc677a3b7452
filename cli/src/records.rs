//! Readers that cut `hegui check` input into records while keeping at most a fixed number of
//! bytes of any one record in memory: a record over the cap is skipped to its end and reported,
//! never read whole (a file of one endless line or CSV row must not take all memory).

use std::io::{self, BufRead};

/// How one capped read ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Capped<T> {
    /// A whole record within the cap.
    Record(T),
    /// A record over the cap: consumed, not kept.
    TooLarge,
}

/// Reads one line (through `\n`) into `buf`, keeping it only if its content (without the
/// `\n`) is at most `cap` bytes. `None` at the end of the input. An over-long line is consumed
/// a buffer at a time and dropped, so memory stays bounded by `cap` plus the reader's buffer.
pub fn read_line_capped<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<Capped<()>>> {
    buf.clear();
    let mut consumed = 0usize;
    let mut over = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((consumed > 0).then_some(if over {
                Capped::TooLarge
            } else {
                Capped::Record(())
            }));
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (available.get(..=i).unwrap_or(available), true),
            None => (available, false),
        };
        let content = chunk.len() - usize::from(done);
        if !over {
            if buf.len() + content > cap {
                over = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let n = chunk.len();
        reader.consume(n);
        consumed += n;
        if done {
            return Ok(Some(if over {
                Capped::TooLarge
            } else {
                Capped::Record(())
            }));
        }
    }
}

/// CSV rows read with csv-core, the parser the `csv` crate is built on (so rows, quoting, a
/// leading BOM, skipped blank lines and line numbers are exactly the `csv` crate's), keeping at
/// most `cap` bytes of field data and `cap / 8` fields of one row. The `csv` crate's own reader
/// grows its record without bound, so one row without an end was read into memory whole.
pub struct CsvRows<R> {
    input: R,
    core: csv_core::Reader,
    cap: usize,
    max_fields: usize,
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: BufRead> CsvRows<R> {
    pub fn new(input: R, cap: usize) -> Self {
        let cap = cap.max(1);
        // A field end is a usize: bounding their count by `cap / 8` keeps them within `cap`
        // bytes too.
        let max_fields = (cap / std::mem::size_of::<usize>()).max(1);
        CsvRows {
            input,
            core: csv_core::Reader::new(),
            cap,
            max_fields,
            fields: vec![0; cap.min(4096)],
            ends: vec![0; max_fields.min(64)],
        }
    }

    /// The next row and the line it starts on (as the `csv` crate numbers it: 1 is the first
    /// line), or `None` at the end.
    pub fn next_row(&mut self) -> io::Result<Option<(u64, Capped<csv::ByteRecord>)>> {
        use csv_core::ReadRecordResult as Read;
        let line = self.core.line();
        let (mut out, mut ends) = (0usize, 0usize);
        let mut over = false;
        // Where an over-long row's bytes go while it is skipped to its end.
        let (mut sink, mut sink_ends) = ([0u8; 1024], [0usize; 64]);
        loop {
            let input = match self.input.fill_buf() {
                Ok(input) => input,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let (result, nin, nout, nend) = if over {
                self.core.read_record(input, &mut sink, &mut sink_ends)
            } else {
                let fields = self.fields.get_mut(out..).unwrap_or_default();
                let field_ends = self.ends.get_mut(ends..).unwrap_or_default();
                self.core.read_record(input, fields, field_ends)
            };
            self.input.consume(nin);
            out += nout;
            ends += nend;
            match result {
                Read::InputEmpty => {}
                Read::OutputFull if !over => over = !grow(&mut self.fields, self.cap),
                Read::OutputEndsFull if !over => over = !grow(&mut self.ends, self.max_fields),
                Read::OutputFull | Read::OutputEndsFull => {}
                Read::Record if over => return Ok(Some((line, Capped::TooLarge))),
                Read::Record => return Ok(Some((line, Capped::Record(self.record(out, ends))))),
                Read::End => return Ok(None),
            }
        }
    }

    /// The row just read, from the first `out` bytes and `ends` field ends.
    fn record(&self, out: usize, ends: usize) -> csv::ByteRecord {
        let mut record = csv::ByteRecord::with_capacity(out, ends);
        let mut start = 0;
        for &end in self.ends.iter().take(ends) {
            record.push_field(self.fields.get(start..end).unwrap_or_default());
            start = end;
        }
        record
    }
}

/// Doubles `buf`, up to `max` elements; `false` when it already holds `max`.
fn grow<T: Default + Clone>(buf: &mut Vec<T>, max: usize) -> bool {
    if buf.len() >= max {
        return false;
    }
    let len = buf.len().saturating_mul(2).clamp(1, max);
    buf.resize(len, T::default());
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_lines() {
        let mut r = io::Cursor::new(b"abcd\ncdefgh\nij".to_vec());
        let mut buf = Vec::new();
        let read =
            |r: &mut io::Cursor<Vec<u8>>, buf: &mut Vec<u8>| read_line_capped(r, buf, 4).unwrap();
        // The cap counts the content, not the newline.
        assert_eq!(read(&mut r, &mut buf), Some(Capped::Record(())));
        assert_eq!(buf, b"abcd\n");
        assert_eq!(read(&mut r, &mut buf), Some(Capped::TooLarge));
        assert_eq!(read(&mut r, &mut buf), Some(Capped::Record(())));
        assert_eq!(buf, b"ij");
        assert_eq!(read(&mut r, &mut buf), None);
    }

    fn rows(text: &str, cap: usize) -> Vec<(u64, Option<Vec<String>>)> {
        let mut rows = CsvRows::new(io::Cursor::new(text.as_bytes().to_vec()), cap);
        let mut all = Vec::new();
        while let Some((line, row)) = rows.next_row().unwrap() {
            all.push((
                line,
                match row {
                    Capped::Record(r) => Some(
                        r.iter()
                            .map(|f| String::from_utf8_lossy(f).into_owned())
                            .collect(),
                    ),
                    Capped::TooLarge => None,
                },
            ));
        }
        all
    }

    #[test]
    fn csv_rows_split_as_the_csv_crate_does() {
        let text = "\u{feff}a,b\n1,\"x\ny\"\n\n2,\"q\"\"q\"\r\n3";
        let ours = rows(text, 1024);
        let mut theirs = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record).unwrap() {
            let line = record.position().map_or(0, |p| p.line());
            theirs.push((line, Some(record.iter().map(str::to_owned).collect())));
        }
        assert_eq!(ours, theirs);
    }

    #[test]
    fn csv_rows_over_the_cap_are_skipped_whole() {
        let long = "x".repeat(5000);
        let text = format!("a,b\n1,\"{long}\n{long}\"\n2,3\n4,{long}");
        let got = rows(&text, 100);
        assert_eq!(
            got,
            [
                (1, Some(vec!["a".into(), "b".into()])),
                (2, None),
                (4, Some(vec!["2".into(), "3".into()])),
                (5, None),
            ]
        );
        // What was kept of the long rows stays within the cap.
        let mut reader = CsvRows::new(io::Cursor::new(text.into_bytes()), 100);
        while reader.next_row().unwrap().is_some() {
            assert!(reader.fields.len() <= 100 && reader.ends.len() <= 12);
        }
        // Too many fields is too large too: 100 bytes allow 12 fields.
        let commas = format!("{}\nok\n", ",".repeat(20));
        assert_eq!(
            rows(&commas, 100),
            [(1, None), (2, Some(vec!["ok".into()]))]
        );
    }
}
