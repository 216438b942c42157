//! codec.h
