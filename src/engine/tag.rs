//! Delivery tags.
//!
//! The spec allows up to 32 octets (2.8.7), so a tag lives inside its delivery: a
//! message costs no allocation for it (tracked deliveries live for a whole window, and
//! their small allocations were a measurable share of tracking's cost). A longer tag, from
//! a peer breaking the limit, is kept on the heap all the same.

use std::fmt;
use std::ops::Deref;

const INLINE: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub enum DeliveryTag {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl DeliveryTag {
    pub fn new(tag: &[u8]) -> DeliveryTag {
        if tag.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..tag.len()].copy_from_slice(tag);
            DeliveryTag::Inline {
                len: tag.len() as u8,
                bytes,
            }
        } else {
            DeliveryTag::Heap(tag.into())
        }
    }
}

impl Default for DeliveryTag {
    fn default() -> Self {
        DeliveryTag::new(&[])
    }
}

impl Deref for DeliveryTag {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            DeliveryTag::Inline { len, bytes } => &bytes[..*len as usize],
            DeliveryTag::Heap(b) => b,
        }
    }
}

impl From<&[u8]> for DeliveryTag {
    fn from(tag: &[u8]) -> Self {
        DeliveryTag::new(tag)
    }
}

impl<const N: usize> From<&[u8; N]> for DeliveryTag {
    fn from(tag: &[u8; N]) -> Self {
        DeliveryTag::new(tag)
    }
}

impl From<Vec<u8>> for DeliveryTag {
    fn from(tag: Vec<u8>) -> Self {
        DeliveryTag::new(&tag)
    }
}

impl fmt::Debug for DeliveryTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_of_any_length_keep_their_bytes() {
        for n in [0, 1, 8, 31, 32, 33, 100, 5000] {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 7 + 1) as u8).collect();
            let tag = DeliveryTag::new(&bytes);
            assert_eq!(&*tag, &bytes[..]);
            assert_eq!(matches!(tag, DeliveryTag::Inline { .. }), n <= INLINE);
            assert_eq!(tag.clone(), DeliveryTag::from(bytes.clone()));
        }
        assert_ne!(DeliveryTag::new(b"a"), DeliveryTag::new(b"a\0"));
        assert!(DeliveryTag::default().is_empty());
    }
}
