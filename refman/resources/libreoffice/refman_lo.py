"""refman's LibreOffice Writer extension: the protocol handler that refman's menu and toolbar
(Addons.xcu) dispatch to, ``org.refman.libreoffice:COMMAND``.

It runs in LibreOffice's own Python (no import of refman: the work is done in
pythonpath/refman_office.py, which talks to the running refman over loopback).
"""

import refman_office
import unohelper
from com.sun.star.frame import XDispatch, XDispatchProvider
from com.sun.star.lang import XInitialization, XServiceInfo

IMPLEMENTATION = "org.refman.libreoffice.ProtocolHandler"
SERVICES = ("com.sun.star.frame.ProtocolHandler",)
PROTOCOL = "org.refman.libreoffice:"


class Handler(unohelper.Base, XInitialization, XDispatchProvider, XDispatch, XServiceInfo):
    """One per frame: LibreOffice gives it the frame, then dispatches the commands to it."""

    def __init__(self, context):
        self.context = context
        self.frame = None

    def initialize(self, arguments):
        if arguments:
            self.frame = arguments[0]

    def queryDispatch(self, url, target, flags):
        return self if url.Protocol == PROTOCOL else None

    def queryDispatches(self, requests):
        return tuple(self.queryDispatch(r.FeatureURL, r.FrameName, r.SearchFlags)
                     for r in requests)

    def dispatch(self, url, arguments):
        given = {argument.Name: argument.Value for argument in arguments}
        refman_office.run(self.context, self.frame, url.Path, given)

    def addStatusListener(self, listener, url):
        pass

    def removeStatusListener(self, listener, url):
        pass

    def getImplementationName(self):
        return IMPLEMENTATION

    def supportsService(self, name):
        return name in SERVICES

    def getSupportedServiceNames(self):
        return SERVICES


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Handler, IMPLEMENTATION, SERVICES)
