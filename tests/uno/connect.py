"""Wait until the office answers: ``connect.py PORT SECONDS``; prints its product version."""

import sys

from unoconnect import answer, connect

context = connect(int(sys.argv[1]), float(sys.argv[2]))
provider = context.ServiceManager.createInstanceWithContext(
    "com.sun.star.configuration.ConfigurationProvider", context)
answer({"ready": True})
