@_exported import CatalogueTestSupport
@_exported import TestSupport
