"""Every link between record types and the category of the record it reaches."""

from sharing.categories import CATEGORIES

# (type, field) -> the category of the record the link reaches, as the registry declares it:
# a new link is one `Link` on its category, and the link tests then cover it.
LINKS = {
    (category.node_type, link.field): link.target
    for category in CATEGORIES
    for link in category.links
}
