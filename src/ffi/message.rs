//! message.h
