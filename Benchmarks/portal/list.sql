-- `nalabo catalogue list`'s query (Sources/Catalogue/Operations/Browsing.swift), no filters: the floor that
-- GET /api/workshops is measured against.
SELECT h.handle, w.slug, v.version, v.title, v.summary, v.tags, v.published_at
FROM nalabo.workshops w
JOIN nalabo.handles() h ON h.id = w.owner_id
CROSS JOIN LATERAL (
    SELECT version, title, summary, tags, published_at FROM nalabo.workshop_versions
    WHERE workshop_id = w.id AND yanked_at IS NULL
    ORDER BY version_order DESC LIMIT 1
) v
WHERE (NULL::text IS NULL) AND (NULL::text IS NULL) AND (NOT false)
ORDER BY h.handle, w.slug
LIMIT 500;
