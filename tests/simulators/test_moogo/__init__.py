"""Wire-level tests of the Moogo cloud simulator, with plain aiohttp over loopback."""
