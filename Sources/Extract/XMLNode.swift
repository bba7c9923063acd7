/// An XML element as the Office, OpenDocument and EPUB extractors read it: names as written
/// (`w:p`, `text:h`), attributes, children in order. Namespaces are matched by local name — the
/// formats fix their vocabularies, and a prefix is never how two of their elements differ.
struct XMLNode: Sendable {
    var name: String
    var attributes: [String: String]
    var children: [XMLChild]

    /// The name without its prefix: `p` for `w:p`.
    var localName: Substring { Self.localName(name) }

    static func localName(_ name: String) -> Substring {
        guard let colon = name.lastIndex(of: ":") else { return name[...] }
        return name[name.index(after: colon)...]
    }

    /// The attribute whose local name is `name` (`val` finds `w:val`), preferring an exact match.
    func attribute(_ name: String) -> String? {
        if let value = attributes[name] { return value }
        return attributes.first { Self.localName($0.key) == name }?.value
    }

    var elements: [XMLNode] {
        children.compactMap { if case let .element(node) = $0 { node } else { nil } }
    }

    /// The first child element named `name` (local name).
    func child(_ name: String) -> XMLNode? {
        for case let .element(node) in children where node.localName == name { return node }
        return nil
    }

    func children(_ name: String) -> [XMLNode] { elements.filter { $0.localName == name } }

    /// The first descendant (depth first, document order) named `name`.
    func descendant(_ name: String) -> XMLNode? {
        for case let .element(node) in children {
            if node.localName == name { return node }
            if let found = node.descendant(name) { return found }
        }
        return nil
    }

    /// All descendants named `name`, document order, not looking inside a match.
    func descendants(_ name: String) -> [XMLNode] {
        var found: [XMLNode] = []
        for case let .element(node) in children {
            if node.localName == name { found.append(node) } else { found += node.descendants(name) }
        }
        return found
    }

    /// All character data below this element, in order.
    var text: String {
        var out = ""
        for child in children {
            switch child {
            case let .text(text): out += text
            case let .element(node): out += node.text
            }
        }
        return out
    }
}

indirect enum XMLChild: Sendable {
    case element(XMLNode)
    case text(String)
}
