//! The AMQP 1.0 type system and its binary encoding (spec part 1.6), as proton's `pn_data_t`.
