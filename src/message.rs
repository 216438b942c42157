//! An AMQP 1.0 message (spec part 3.2), as proton's `pn_message_t`.
