#include "txaio/testutil.hpp"
