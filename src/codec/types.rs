//! AMQP 1.0 type codes as proton numbers them (`pn_type_t`), and the scalar atom.

/// Proton's type codes (`pn_type_t`), spec part 1.6.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Type {
    Null = 1,
    Bool = 2,
    Ubyte = 3,
    Byte = 4,
    Ushort = 5,
    Short = 6,
    Uint = 7,
    Int = 8,
    Char = 9,
    Ulong = 10,
    Long = 11,
    Timestamp = 12,
    Float = 13,
    Double = 14,
    Decimal32 = 15,
    Decimal64 = 16,
    Decimal128 = 17,
    Uuid = 18,
    Binary = 19,
    String = 20,
    Symbol = 21,
    Described = 22,
    Array = 23,
    List = 24,
    Map = 25,
}

/// `PN_INVALID`: "no current node" / "not an array".
pub const INVALID_TYPE: i32 = -1;

impl Type {
    /// The type for a `pn_type_t` value, if it names one.
    pub fn from_code(code: i32) -> Option<Type> {
        use Type::*;
        Some(match code {
            1 => Null,
            2 => Bool,
            3 => Ubyte,
            4 => Byte,
            5 => Ushort,
            6 => Short,
            7 => Uint,
            8 => Int,
            9 => Char,
            10 => Ulong,
            11 => Long,
            12 => Timestamp,
            13 => Float,
            14 => Double,
            15 => Decimal32,
            16 => Decimal64,
            17 => Decimal128,
            18 => Uuid,
            19 => Binary,
            20 => String,
            21 => Symbol,
            22 => Described,
            23 => Array,
            24 => List,
            25 => Map,
            _ => return None,
        })
    }

    pub fn code(self) -> i32 {
        self as i32
    }

    /// Proton's name for the type, as `pn_type_name` gives it ("PN_INT").
    pub fn pn_name(self) -> &'static str {
        use Type::*;
        match self {
            Null => "PN_NULL",
            Bool => "PN_BOOL",
            Ubyte => "PN_UBYTE",
            Byte => "PN_BYTE",
            Ushort => "PN_USHORT",
            Short => "PN_SHORT",
            Uint => "PN_UINT",
            Int => "PN_INT",
            Char => "PN_CHAR",
            Ulong => "PN_ULONG",
            Long => "PN_LONG",
            Timestamp => "PN_TIMESTAMP",
            Float => "PN_FLOAT",
            Double => "PN_DOUBLE",
            Decimal32 => "PN_DECIMAL32",
            Decimal64 => "PN_DECIMAL64",
            Decimal128 => "PN_DECIMAL128",
            Uuid => "PN_UUID",
            Binary => "PN_BINARY",
            String => "PN_STRING",
            Symbol => "PN_SYMBOL",
            Described => "PN_DESCRIBED",
            Array => "PN_ARRAY",
            List => "PN_LIST",
            Map => "PN_MAP",
        }
    }

    /// Whether values of this type hold children (described, array, list, map).
    pub fn is_compound(self) -> bool {
        matches!(self, Type::Described | Type::Array | Type::List | Type::Map)
    }
}

/// A range of bytes inside a [`crate::codec::Data`]'s byte store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
}

/// The value of one node of a data tree. Compound kinds carry no value: their
/// content is their children.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Atom {
    Null,
    Bool(bool),
    Ubyte(u8),
    Byte(i8),
    Ushort(u16),
    Short(i16),
    Uint(u32),
    Int(i32),
    Char(u32),
    Ulong(u64),
    Long(i64),
    Timestamp(i64),
    Float(f32),
    Double(f64),
    Decimal32(u32),
    Decimal64(u64),
    Decimal128([u8; 16]),
    Uuid([u8; 16]),
    Binary(Span),
    String(Span),
    Symbol(Span),
    Described,
    /// `elem` is None when a decoded array named an unknown element constructor.
    Array {
        described: bool,
        elem: Option<Type>,
    },
    List,
    Map,
}

impl Atom {
    pub fn type_of(&self) -> Type {
        match self {
            Atom::Null => Type::Null,
            Atom::Bool(_) => Type::Bool,
            Atom::Ubyte(_) => Type::Ubyte,
            Atom::Byte(_) => Type::Byte,
            Atom::Ushort(_) => Type::Ushort,
            Atom::Short(_) => Type::Short,
            Atom::Uint(_) => Type::Uint,
            Atom::Int(_) => Type::Int,
            Atom::Char(_) => Type::Char,
            Atom::Ulong(_) => Type::Ulong,
            Atom::Long(_) => Type::Long,
            Atom::Timestamp(_) => Type::Timestamp,
            Atom::Float(_) => Type::Float,
            Atom::Double(_) => Type::Double,
            Atom::Decimal32(_) => Type::Decimal32,
            Atom::Decimal64(_) => Type::Decimal64,
            Atom::Decimal128(_) => Type::Decimal128,
            Atom::Uuid(_) => Type::Uuid,
            Atom::Binary(_) => Type::Binary,
            Atom::String(_) => Type::String,
            Atom::Symbol(_) => Type::Symbol,
            Atom::Described => Type::Described,
            Atom::Array { .. } => Type::Array,
            Atom::List => Type::List,
            Atom::Map => Type::Map,
        }
    }
}

/// A scalar value with its bytes borrowed from outside a data tree, used to put values in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Ubyte(u8),
    Byte(i8),
    Ushort(u16),
    Short(i16),
    Uint(u32),
    Int(i32),
    Char(u32),
    Ulong(u64),
    Long(i64),
    Timestamp(i64),
    Float(f32),
    Double(f64),
    Decimal32(u32),
    Decimal64(u64),
    Decimal128([u8; 16]),
    Uuid([u8; 16]),
    Binary(&'a [u8]),
    String(&'a [u8]),
    Symbol(&'a [u8]),
}

impl Scalar<'_> {
    pub fn type_of(&self) -> Type {
        match self {
            Scalar::Null => Type::Null,
            Scalar::Bool(_) => Type::Bool,
            Scalar::Ubyte(_) => Type::Ubyte,
            Scalar::Byte(_) => Type::Byte,
            Scalar::Ushort(_) => Type::Ushort,
            Scalar::Short(_) => Type::Short,
            Scalar::Uint(_) => Type::Uint,
            Scalar::Int(_) => Type::Int,
            Scalar::Char(_) => Type::Char,
            Scalar::Ulong(_) => Type::Ulong,
            Scalar::Long(_) => Type::Long,
            Scalar::Timestamp(_) => Type::Timestamp,
            Scalar::Float(_) => Type::Float,
            Scalar::Double(_) => Type::Double,
            Scalar::Decimal32(_) => Type::Decimal32,
            Scalar::Decimal64(_) => Type::Decimal64,
            Scalar::Decimal128(_) => Type::Decimal128,
            Scalar::Uuid(_) => Type::Uuid,
            Scalar::Binary(_) => Type::Binary,
            Scalar::String(_) => Type::String,
            Scalar::Symbol(_) => Type::Symbol,
        }
    }
}
