import NetCore

extension WhitelistOrganization {
    /// True when something was loaded for the organization, so that it can say what it does not own (an
    /// organization without files owns nothing and would make every mention of its name look forged).
    var canJudge: Bool { !ranges.isEmpty || !domains.isEmpty }

    /// Slips' `is_ip_in_org`: the address lies in one of the organization's ranges.
    func owns(_ address: IPAddress) -> Bool { ranges.contains { $0.contains(address) } }

    /// Slips' `is_domain_in_org`: the domain is one of the organization's domains or a subdomain of one, or one of
    /// them is a subdomain of it (Slips compares substrings with the same top-level domain; here whole labels).
    func owns(domain text: String) -> Bool {
        guard let domain = Whitelist.normalizedDomain(text) else { return false }
        return domains.contains { own in
            domain == own || domain.hasSuffix("." + own) || own.hasSuffix("." + domain)
        }
    }
}
