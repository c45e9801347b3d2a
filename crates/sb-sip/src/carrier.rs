//! Registration of the switch with a carrier (MISSION T2: trunks that
//! authenticate by registering rather than by source address).

use std::net::SocketAddr;

use rsipstack::dialog::registration::Registration;
use rsipstack::sip::Uri;

use crate::call::TrunkCredentials;
use crate::error::SipError;
use crate::stack::SipStack;

/// One trunk's registration; call [`CarrierRegistration::register`] again
/// before the granted expiry runs out.
pub struct CarrierRegistration {
    registration: Registration,
    registrar: Uri,
}

impl std::fmt::Debug for CarrierRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CarrierRegistration")
            .field("registrar", &self.registrar.to_string())
            .finish_non_exhaustive()
    }
}

impl CarrierRegistration {
    pub fn new(
        stack: &SipStack,
        registrar: SocketAddr,
        credentials: &TrunkCredentials,
    ) -> Result<Self, SipError> {
        let text = format!("sip:{registrar}");
        let registrar = Uri::try_from(text.as_str()).map_err(|_| SipError::Uri(text))?;
        Ok(CarrierRegistration {
            registration: Registration::new(stack.endpoint.clone(), Some(credentials.to_stack())),
            registrar,
        })
    }

    /// Sends REGISTER (answering the carrier's digest challenge); returns
    /// the final status and the expiry the carrier granted, in seconds.
    pub async fn register(&mut self, expires: u32) -> Result<(u16, u32), SipError> {
        let response = self
            .registration
            .register(self.registrar.clone(), Some(expires))
            .await
            .map_err(|e| SipError::Stack(e.to_string()))?;
        Ok((response.status_code.code(), self.registration.expires()))
    }
}
