"""A named fake PDF worker that dies the way a parser crash does (SIGABRT), for one unit test."""

import os

os.abort()
