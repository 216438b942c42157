//! Following `amqp:connection:redirect` (API.md 3.7): the peer closes with that condition
//! and a `network-host`/`port` info map; the messenger does not answer the close but moves
//! the same connection (its key, links and subscriptions) to the new address, where the
//! links attach again and the messages not yet written go out.

use super::{final_status, net, ConnId, DeliveryRef, Messenger, Tracked};
use crate::codec::decoder::decode;
use crate::codec::{Data, Scalar};
use crate::engine::performative::ErrorCondition;
use crate::engine::{Connection, DeliveryId, LinkId, Side, Transport};
use std::collections::HashMap;

const REDIRECT: &str = "amqp:connection:redirect";

/// The host and port a redirect condition names, if it is one.
pub(super) fn target(condition: &ErrorCondition) -> Option<(String, String)> {
    if condition.condition != REDIRECT {
        return None;
    }
    let mut info = Data::new();
    decode(&mut info, condition.info.as_deref()?).ok()?;
    info.rewind();
    if !info.next() || !info.enter() {
        return None;
    }
    let (mut host, mut port) = (None, None);
    while info.next() {
        let key = match info.scalar() {
            Some(Scalar::Symbol(k) | Scalar::String(k)) => k.to_vec(),
            _ => Vec::new(),
        };
        if !info.next() {
            break;
        }
        let text = match info.scalar() {
            Some(Scalar::String(s) | Scalar::Symbol(s)) => {
                Some(String::from_utf8_lossy(s).into_owned())
            }
            Some(Scalar::Ushort(n)) => Some(n.to_string()),
            Some(Scalar::Uint(n)) => Some(n.to_string()),
            Some(Scalar::Int(n)) => Some(n.to_string()),
            Some(Scalar::Ulong(n)) => Some(n.to_string()),
            Some(Scalar::Long(n)) => Some(n.to_string()),
            _ => None,
        };
        match key.as_slice() {
            b"network-host" => host = text,
            b"port" => port = text,
            _ => {}
        }
    }
    Some((host?, port.unwrap_or_else(|| "5672".into())))
}

impl Messenger {
    /// Move connection `id` to `host:port`: a new socket and engine, the same links
    /// (attached again, in a session each) and the deliveries not yet written, re-sent in
    /// order. What was written to the old peer keeps the status it had. Returns false (the
    /// connection then closes as usual) if the new address cannot be reached.
    pub(super) fn redirect(&mut self, id: ConnId, host: &str, port: &str) -> bool {
        let Some(addr) = net::resolve(host, port)
            .ok()
            .and_then(|a| a.into_iter().next())
        else {
            return false;
        };
        let Ok(stream) = net::connect(addr) else {
            return false;
        };
        let mut config = self.engine_config(Side::Client);
        config.hostname = Some(host.to_owned());
        let mut conn = Connection::new(config);
        conn.open();
        // An amqps connection moves over TLS, verified against the new host.
        let tls_scheme = self.conns.get(id).and_then(|c| c.key.scheme.as_deref()) == Some("amqps");
        let engine = match tls_scheme {
            true => match self.client_tls(host) {
                Ok(tls) => Transport::tls(conn, tls),
                Err(_) => return false,
            },
            false => Transport::plain(conn),
        };
        self.topology += 1;

        let c = self.conns.get_mut(id).expect("live");
        let old = std::mem::replace(&mut c.engine, engine);
        let mut old_stream = std::mem::replace(&mut c.stream, stream);
        let _ = self.net.poll.registry().deregister(&mut old_stream);
        let mut links: HashMap<LinkId, LinkId> = HashMap::new();
        let mut deliveries: HashMap<DeliveryId, DeliveryId> = HashMap::new();
        for l in old.links().collect::<Vec<_>>() {
            let link = old.link(l).expect("live");
            if link.endpoint.local != crate::engine::EndpointState::Active {
                continue;
            }
            let session = c.engine.begin_session();
            let new = c
                .engine
                .attach(session, link.local.clone())
                .expect("session");
            links.insert(l, new);
            for &d in &link.queue {
                let delivery = old.delivery(d).expect("queued");
                if delivery.transfer_id.is_some() {
                    continue; // partly written to the old peer: lost with it
                }
                let sent = c.engine.send(
                    new,
                    delivery.tag.clone(),
                    delivery.payload.clone(),
                    delivery.local_settled,
                );
                if let Some(sent) = sent {
                    deliveries.insert(d, sent);
                }
            }
        }
        for (l, _) in c.link_subscriptions.iter_mut() {
            if let Some(&new) = links.get(l) {
                *l = new;
            }
        }
        c.writable = true; // a new socket: no would-block yet
        let token = super::conn_token(id);
        let registered = net::register_stream(&self.net, &mut c.stream, token).is_ok();
        // Receivers move in the credit scheduler; trackers follow their deliveries.
        for (&old_link, &new_link) in &links {
            let link = old.link(old_link).expect("live");
            if !link.is_sender() {
                let unused = link.credit;
                self.credit.remove_link(
                    super::LinkRef {
                        conn: id,
                        link: old_link,
                    },
                    unused,
                );
                self.credit.add_link(super::LinkRef {
                    conn: id,
                    link: new_link,
                });
            }
        }
        let windows = [&mut self.outgoing, &mut self.incoming];
        for (window, is_outgoing) in windows.into_iter().zip([true, false]) {
            for (_, state) in window.values_mut() {
                let Tracked::Live(r) = *state else {
                    continue;
                };
                if r.conn != id {
                    continue;
                }
                *state = match deliveries.get(&r.delivery) {
                    Some(&d) => Tracked::Live(DeliveryRef {
                        conn: id,
                        delivery: d,
                    }),
                    None => Tracked::Final(final_status(old.delivery(r.delivery), is_outgoing)),
                };
            }
        }
        registered
    }
}
