"""Registry: the pyfunc entry file logged with every version; it only imports installed code.

MLflow executes this file to load a version (`mlflow.pyfunc.load_model`); shipml records its
SHA-256 in the version's tags and refuses a version whose copy differs.
"""

from mlflow.models import set_model

from shipml.registry.pyfunc_model import ShipmlPyfunc

set_model(ShipmlPyfunc())
