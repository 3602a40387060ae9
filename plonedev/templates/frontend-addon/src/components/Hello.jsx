/**
 * The page $name adds at $route. Its text is a react-intl message: shown in English
 * as defaultMessage until a translation for the page's language provides the id.
 */
import { defineMessages, useIntl } from 'react-intl';

const messages = defineMessages({
  hello: {
    id: 'Hello from {name}',
    defaultMessage: 'Hello from {name}',
  },
});

const Hello = () => {
  const intl = useIntl();
  return (
    <div id="page-$folder" className="ui container">
      <h1 className="documentFirstHeading">
        {intl.formatMessage(messages.hello, { name: '$name' })}
      </h1>
    </div>
  );
};

export default Hello;
