"""provnews: crawl, archive and extract statistics from Vietnamese provincial news."""
import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
