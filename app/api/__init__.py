"""The vendor API client: tokens, retries, typed errors, wire schemas and the catalog cache."""

from app.api.catalog_cache import CatalogCache
from app.api.client import CreatedOrder, VendorClient, default_http_client
from app.api.errors import (
    ApiError,
    AuthenticationError,
    CertificateError,
    DuplicateOrderError,
    ForbiddenError,
    InsufficientFundsError,
    NotFoundError,
    RateLimitedError,
    RequestCancelled,
    TransientError,
    ValidationError,
)
from app.api.retry import RetryPolicy, interruptible_sleep
from app.api.tokens import TokenManager
from app.api.wire import OrderRequest, OrderStatus

__all__ = [
    "ApiError",
    "AuthenticationError",
    "CatalogCache",
    "CertificateError",
    "CreatedOrder",
    "DuplicateOrderError",
    "ForbiddenError",
    "InsufficientFundsError",
    "NotFoundError",
    "OrderRequest",
    "OrderStatus",
    "RateLimitedError",
    "RequestCancelled",
    "RetryPolicy",
    "TokenManager",
    "TransientError",
    "ValidationError",
    "VendorClient",
    "default_http_client",
    "interruptible_sleep",
]
