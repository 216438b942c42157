//! AMQP bytes to a data tree (`pn_data_decode`), hardened against hostile input.
//!
//! One call decodes one value and writes it after the data's cursor, as proton does; on
//! error the nodes decoded so far stay in the tree (proton leaves them too). Limits: the
//! tree's node cap (65535, as in proton) bounds memory, nesting is bounded by
//! [`MAX_DEPTH`], and no size or count read from the input is trusted for allocation.

use super::data::Data;
use super::types::{Scalar, Type};
use crate::error::{code, Error, Result};

/// The deepest nesting of compound values accepted.
pub const MAX_DEPTH: usize = 256;

const UNDERFLOW_TEXT: &str = "not enough data to decode";

fn underflow() -> Error {
    Error::new(code::UNDERFLOW, UNDERFLOW_TEXT)
}

fn invalid() -> Error {
    Error::bare(code::ARG_ERR)
}

/// Decode one value from `input` into `data` after its cursor; returns bytes consumed.
pub fn decode(data: &mut Data, input: &[u8]) -> Result<usize> {
    let mut reader = Reader::new(input);
    let result = reader.value(data, 0);
    // Proton records only underflow in the data's error; other codes are just returned.
    if let Err(e) = &result {
        if e.code == code::UNDERFLOW {
            data.error_mut().record(e);
        }
    }
    result.map(|()| reader.pos)
}

/// The type a constructor byte stands for, if it is a known one.
pub fn constructor_type(ctor: u8) -> Option<Type> {
    use Type::*;
    Some(match ctor {
        0x40 => Null,
        0x41 | 0x42 | 0x56 => Bool,
        0x50 => Ubyte,
        0x51 => Byte,
        0x60 => Ushort,
        0x61 => Short,
        0x43 | 0x52 | 0x70 => Uint,
        0x54 | 0x71 => Int,
        0x73 => Char,
        0x44 | 0x53 | 0x80 => Ulong,
        0x55 | 0x81 => Long,
        0x83 => Timestamp,
        0x72 => Float,
        0x82 => Double,
        0x74 => Decimal32,
        0x84 => Decimal64,
        0x94 => Decimal128,
        0x98 => Uuid,
        0xa0 | 0xb0 => Binary,
        0xa1 | 0xb1 => String,
        0xa3 | 0xb3 => Symbol,
        0x00 => Described,
        0xe0 | 0xf0 => Array,
        0x45 | 0xc0 | 0xd0 => List,
        0xc1 | 0xd1 => Map,
        _ => return None,
    })
}

/// Reads AMQP values from a byte slice, one at a time.
pub struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

/// A value read by [`Reader::field`]: a scalar, or the fact that a compound value was skipped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Field<'a> {
    Scalar(Scalar<'a>),
    Compound,
}

/// The descriptor of a described value: AMQP's numeric code or a symbolic name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Descriptor<'a> {
    Code(u64),
    Name(&'a [u8]),
    Other,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Reader { input, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.input.len()
    }

    /// Decode the next value into `data` after its cursor.
    pub fn decode_into(&mut self, data: &mut Data) -> Result<()> {
        self.value(data, 0)
    }

    /// Read the `0x00` and descriptor that open a described value.
    pub fn descriptor(&mut self) -> Result<Descriptor<'a>> {
        if self.u8()? != 0x00 {
            return Err(Error::new(code::ARG_ERR, "expected a described value"));
        }
        Ok(match self.field_at(1)? {
            Field::Scalar(Scalar::Ulong(c)) => Descriptor::Code(c),
            Field::Scalar(Scalar::Symbol(n)) => Descriptor::Name(n),
            _ => Descriptor::Other,
        })
    }

    /// Read a list header (list0, list8, list32, or a null standing for an empty list)
    /// and return its element count.
    pub fn list_header(&mut self) -> Result<u32> {
        match self.u8()? {
            0x40 | 0x45 => Ok(0),
            0xc0 => self.sized_header(false),
            0xd0 => self.sized_header(true),
            _ => Err(Error::new(code::ARG_ERR, "expected a list")),
        }
    }

    /// Read one value: scalars are returned, compound values are skipped.
    pub fn field(&mut self) -> Result<Field<'a>> {
        self.field_at(0)
    }

    /// Skip one value and return its encoded bytes (constructor included).
    pub fn raw_value(&mut self) -> Result<&'a [u8]> {
        let start = self.pos;
        self.field_at(0)?;
        Ok(&self.input[start..self.pos])
    }

    /// The next byte, without consuming it.
    pub fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    /// The bytes not read yet, without consuming them.
    pub fn remaining_bytes(&self) -> &'a [u8] {
        &self.input[self.pos..]
    }

    /// The bytes not read yet, consuming them.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = &self.input[self.pos..];
        self.pos = self.input.len();
        rest
    }

    fn field_at(&mut self, depth: usize) -> Result<Field<'a>> {
        if depth >= MAX_DEPTH {
            return Err(Error::new(code::ERR, "data nested too deeply"));
        }
        let ctor = self.u8()?;
        match ctor {
            0x00 => {
                self.field_at(depth + 1)?;
                self.field_at(depth + 1)?;
                Ok(Field::Compound)
            }
            0x45 => Ok(Field::Compound),
            0xc0 | 0xc1 | 0xe0 => {
                let size = self.u8()? as usize;
                self.take(size)?;
                Ok(Field::Compound)
            }
            0xd0 | 0xd1 | 0xf0 => {
                let size = u32::from_be_bytes(self.array()?) as usize;
                self.take(size)?;
                Ok(Field::Compound)
            }
            _ => self.scalar(ctor).map(Field::Scalar),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.input.len() - self.pos < n {
            return Err(underflow());
        }
        let bytes = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("length checked"))
    }

    fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// A value with its own constructor.
    fn value(&mut self, data: &mut Data, depth: usize) -> Result<()> {
        let ctor = self.u8()?;
        self.value_after(ctor, data, depth)
    }

    /// The rest of a value whose constructor `ctor` has been read.
    fn value_after(&mut self, ctor: u8, data: &mut Data, depth: usize) -> Result<()> {
        if depth >= MAX_DEPTH {
            return Err(Error::new(code::ERR, "data nested too deeply"));
        }
        match ctor {
            0x00 => {
                data.put_described()?;
                data.enter();
                // A descriptor may not itself be described (proton rejects it too).
                let result = match self.input.get(self.pos) {
                    Some(0x00) => Err(invalid()),
                    _ => self.value(data, depth + 1),
                }
                .and_then(|()| self.value(data, depth + 1));
                data.exit();
                result
            }
            0x45 => data.put_list(),
            0xc0 | 0xc1 | 0xd0 | 0xd1 => {
                let wide = ctor & 0xf0 == 0xd0;
                let count = self.sized_header(wide)?;
                if ctor & 0x0f == 0 {
                    data.put_list()?;
                } else {
                    data.put_map()?;
                }
                data.enter();
                let result = (0..count).try_for_each(|_| self.value(data, depth + 1));
                data.exit();
                result
            }
            0xe0 | 0xf0 => self.array_value(data, ctor == 0xf0, depth),
            _ => {
                let value = self.scalar(ctor)?;
                data.put(value)
            }
        }
    }

    /// Read a compound's size and count. The size must fit the input (else underflow) and
    /// cover the count field (else invalid), checked in proton's order.
    fn sized_header(&mut self, wide: bool) -> Result<u32> {
        let (size, count_width) = if wide {
            (u32::from_be_bytes(self.array()?) as usize, 4)
        } else {
            (self.u8()? as usize, 1)
        };
        if size > self.remaining() {
            return Err(underflow());
        }
        let count = if wide {
            u32::from_be_bytes(self.array()?)
        } else {
            self.u8()? as u32
        };
        if size < count_width {
            return Err(invalid());
        }
        Ok(count)
    }

    fn array_value(&mut self, data: &mut Data, wide: bool, depth: usize) -> Result<()> {
        let count = self.sized_header(wide)?;
        let mut ctor = self.u8()?;
        let described = ctor == 0x00;
        data.put_array_of(described, None)?;
        let (_, array_node) = data.cursor();
        data.enter();
        let result = (|| {
            if described {
                self.value(data, depth + 1)?;
                ctor = self.u8()?;
            }
            let elem = constructor_type(ctor);
            if elem.is_none() || ctor == 0x00 {
                return Err(invalid());
            }
            for _ in 0..count {
                self.value_after(ctor, data, depth + 1)?;
            }
            // Proton names the element type only once the whole array has decoded.
            data.set_array_elem(array_node, elem);
            Ok(())
        })();
        data.exit();
        result
    }

    fn scalar(&mut self, ctor: u8) -> Result<Scalar<'a>> {
        Ok(match ctor {
            0x40 => Scalar::Null,
            0x41 => Scalar::Bool(true),
            0x42 => Scalar::Bool(false),
            0x56 => Scalar::Bool(self.u8()? != 0),
            0x50 => Scalar::Ubyte(self.u8()?),
            0x51 => Scalar::Byte(self.u8()? as i8),
            0x60 => Scalar::Ushort(u16::from_be_bytes(self.array()?)),
            0x61 => Scalar::Short(i16::from_be_bytes(self.array()?)),
            0x43 => Scalar::Uint(0),
            0x52 => Scalar::Uint(self.u8()? as u32),
            0x70 => Scalar::Uint(u32::from_be_bytes(self.array()?)),
            0x54 => Scalar::Int(self.u8()? as i8 as i32),
            0x71 => Scalar::Int(i32::from_be_bytes(self.array()?)),
            0x73 => Scalar::Char(u32::from_be_bytes(self.array()?)),
            0x44 => Scalar::Ulong(0),
            0x53 => Scalar::Ulong(self.u8()? as u64),
            0x80 => Scalar::Ulong(u64::from_be_bytes(self.array()?)),
            0x55 => Scalar::Long(self.u8()? as i8 as i64),
            0x81 => Scalar::Long(i64::from_be_bytes(self.array()?)),
            0x83 => Scalar::Timestamp(i64::from_be_bytes(self.array()?)),
            0x72 => Scalar::Float(f32::from_bits(u32::from_be_bytes(self.array()?))),
            0x82 => Scalar::Double(f64::from_bits(u64::from_be_bytes(self.array()?))),
            0x74 => Scalar::Decimal32(u32::from_be_bytes(self.array()?)),
            0x84 => Scalar::Decimal64(u64::from_be_bytes(self.array()?)),
            0x94 => Scalar::Decimal128(self.array()?),
            0x98 => Scalar::Uuid(self.array()?),
            0xa0 | 0xa1 | 0xa3 => {
                let len = self.u8()? as usize;
                variable(ctor, self.take(len)?)
            }
            0xb0 | 0xb1 | 0xb3 => {
                let len = u32::from_be_bytes(self.array()?) as usize;
                variable(ctor, self.take(len)?)
            }
            _ => return Err(invalid()),
        })
    }
}

fn variable(ctor: u8, bytes: &[u8]) -> Scalar<'_> {
    match ctor & 0x0f {
        0x00 => Scalar::Binary(bytes),
        0x01 => Scalar::String(bytes),
        _ => Scalar::Symbol(bytes),
    }
}
